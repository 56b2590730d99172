using Cake.Core.Diagnostics;
using GluePipeline.Aws;

namespace GluePipeline.Build;

/// <summary>The aws lane's part of the run's context: plan mode, the artifact bucket, the clients.</summary>
public sealed partial class BuildContext
{
    /// <summary>The variable naming the artifact bucket (the pipeline stack's; large templates and, later, the published artifact go there).</summary>
    public const string ArtifactBucketVariable = "PIPELINE_ARTIFACT_BUCKET";

    private AwsClients? _aws;

    /// <summary>
    /// Whether this is <c>--plan</c>: the aws lane sends nothing and prints each API call it would make
    /// as one JSON line on stdout (placeholder account 123456789012, us-east-1, the LiveTest stack
    /// absent); Lint and Package run for real.
    /// </summary>
    public bool IsPlan { get; }

    /// <summary><c>--allow-data-loss</c>: promotion may replace or remove data-bearing resources.</summary>
    public bool AllowDataLoss => Arguments.GetArguments("allow-data-loss") is { Count: > 0 } allow && allow.Last() == "true";

    /// <summary>The aws LiveTest stack this run deployed, or null.</summary>
    public GluePipeline.Stacks.AwsDeployment? AwsDeployment { get; set; }

    /// <summary>The artifact bucket: <c>PIPELINE_ARTIFACT_BUCKET</c>; in plan mode a placeholder when unset.</summary>
    public string ArtifactBucket =>
        Environment.GetEnvironmentVariable(ArtifactBucketVariable) is { Length: > 0 } bucket ? bucket
        : IsPlan ? $"{ArtifactName}-artifacts-{AwsPlan.Account}-{AwsPlan.Region}"
        : throw new GluePipeline.Diagnostics.PipelineInputException(GluePipeline.Diagnostics.Diagnostic.Error(new GluePipeline.Diagnostics.SourceLocation("$" + ArtifactBucketVariable), "AWS-ARTIFACT-BUCKET", "The aws lane needs the artifact bucket, and PIPELINE_ARTIFACT_BUCKET is not set", "export PIPELINE_ARTIFACT_BUCKET=<bucket> (the pipeline stack's artifact bucket; CodeBuild sets it)"));

    /// <summary>
    /// The aws lane's clients, made on first use so that targets that never call AWS need no
    /// credentials. Outside plan mode, region and credentials are resolved as the SDKs do and the STS
    /// preflight says who acts before anything changes.
    /// </summary>
    public async Task<AwsClients> AwsAsync()
    {
        if (_aws is not null)
        {
            return _aws;
        }

        if (IsPlan)
        {
            _aws = AwsClients.ForPlan(new AwsPlan(line => Output.WriteLine(line)));
            Log.Information("Plan mode: nothing is sent to AWS; each call is printed on stdout as it would be made (account {0}, {1}, the LiveTest stack absent)", AwsPlan.Account, AwsPlan.Region);
        }
        else
        {
            _aws = AwsClients.Connect(AwsEnvironment.Resolve());
        }

        var identity = await _aws.CallerIdentityAsync(CancellationToken);
        Log.Information("AWS: {0} in account {1}, {2}", identity.Arn, identity.Account, _aws.Environment.Region);
        return _aws;
    }
}
