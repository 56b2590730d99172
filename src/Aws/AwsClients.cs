using Amazon.Runtime;

namespace GluePipeline.Aws;

/// <summary>
/// The aws lane's clients for one run, from one <see cref="AwsEnvironment"/>: CloudFormation, S3, Glue,
/// Athena, CodePipeline and the STS preflight, sharing the retry policy and, in plan mode, the plan
/// that records every call.
/// </summary>
public sealed class AwsClients
{
    private CallerIdentity? _identity;

    private AwsClients(AwsEnvironment environment, AwsRetryPolicy? retry, AwsPlan? plan)
    {
        Environment = environment;
        Retry = retry ?? AwsRetryPolicy.Default;
        Plan = plan;
        CloudFormation = new AwsQueryClient(environment.Http("cloudformation", "cloudformation"), "cloudformation", "2010-05-15", Retry, plan);
        Glue = new AwsJsonClient(environment.Http("glue", "glue"), "glue", "AWSGlue", Retry, plan);
        Athena = new AwsJsonClient(environment.Http("athena", "athena"), "athena", "AmazonAthena", Retry, plan);
        CodePipeline = new AwsJsonClient(environment.Http("codepipeline", "codepipeline"), "codepipeline", "CodePipeline_20150709", Retry, plan);
        var s3Endpoint = environment.Endpoint("s3", "s3");
        S3 = new AwsS3Client(environment.Http("s3", "s3"), s3Endpoint, pathStyle: environment.HasEndpointOverride("s3"), Retry, plan);
    }

    /// <summary>Region, credentials and endpoints.</summary>
    public AwsEnvironment Environment { get; }

    /// <summary>The retry policy of every call.</summary>
    public AwsRetryPolicy Retry { get; }

    /// <summary>The plan calls are recorded in, or null when they are sent.</summary>
    public AwsPlan? Plan { get; }

    /// <summary>CloudFormation (Query protocol).</summary>
    public AwsQueryClient CloudFormation { get; }

    /// <summary>Glue (JSON 1.1).</summary>
    public AwsJsonClient Glue { get; }

    /// <summary>Athena (JSON 1.1).</summary>
    public AwsJsonClient Athena { get; }

    /// <summary>CodePipeline (JSON 1.1).</summary>
    public AwsJsonClient CodePipeline { get; }

    /// <summary>S3 (REST/XML).</summary>
    public AwsS3Client S3 { get; }

    /// <summary>Clients that talk to AWS as the environment says.</summary>
    public static AwsClients Connect(AwsEnvironment environment, AwsRetryPolicy? retry = null) => new(environment, retry, null);

    /// <summary>
    /// Clients that send nothing: each call becomes a plan line (placeholder account 123456789012, region
    /// us-east-1). None of the AWS_* settings apply; the pipeline's own (PIPELINE_*: the deploy role, waits) do.
    /// </summary>
    public static AwsClients ForPlan(AwsPlan plan)
    {
        var pipelineSettings = System.Environment.GetEnvironmentVariables().Keys.OfType<string>()
            .Where(name => name.StartsWith("PIPELINE_", StringComparison.Ordinal))
            .ToDictionary(name => name, System.Environment.GetEnvironmentVariable, StringComparer.Ordinal);
        return new(new AwsEnvironment(AwsPlan.Region, new BasicAWSCredentials("AKIAPLANPLANPLANPLAN", "plan"), pipelineSettings), null, plan);
    }

    /// <summary>The STS GetCallerIdentity preflight: who acts, before anything changes. Asked once per clients; later calls get the same answer.</summary>
    public async Task<CallerIdentity> CallerIdentityAsync(CancellationToken cancellationToken) =>
        _identity ??= await Environment.CallerIdentityAsync(cancellationToken, Retry, Plan);

    /// <summary>
    /// A stack deployer on these clients, acting through the CloudFormation service role
    /// <c>PIPELINE_DEPLOY_ROLE</c> when it is set, unless <paramref name="ownPermissions"/> (the pipeline
    /// stack, which makes that role).
    /// </summary>
    public CloudFormationDeployer Deployer(Action<string> log, TimeSpan? poll = null, TimeSpan? deadline = null, TimeProvider? time = null, bool ownPermissions = false) =>
        new(CloudFormation, log, Plan is null ? poll ?? Environment.Poll : TimeSpan.Zero, deadline ?? Environment.WaitDeadline, time, S3) { RoleArn = ownPermissions ? null : Environment.DeployRole };
}
