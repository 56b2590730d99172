using Amazon.Runtime;

namespace GluePipeline.Aws;

/// <summary>Who the aws lane acts as: from the standard caller identity preflight (STS GetCallerIdentity).</summary>
/// <param name="Account">The account id.</param>
/// <param name="Arn">The principal's ARN.</param>
/// <param name="UserId">The principal's id.</param>
public sealed record CallerIdentity(string Account, string Arn, string UserId);

/// <summary>
/// Where and as whom the aws lane talks to AWS, resolved as the AWS SDKs and CLI do: the region from
/// AWS_REGION / AWS_DEFAULT_REGION (else the SDK's fallback: profile, instance metadata), credentials
/// from the SDK's default chain (environment, profile, SSO, container and instance roles), and
/// endpoints from AWS_ENDPOINT_URL_&lt;SERVICE&gt; or AWS_ENDPOINT_URL when set (tests, VPC endpoints).
/// </summary>
/// <param name="Region">The region, e.g. <c>eu-west-1</c>.</param>
/// <param name="Credentials">The credentials to sign with.</param>
/// <param name="Environment">The environment variables to read endpoints from (default: the process's).</param>
public sealed record AwsEnvironment(string Region, AWSCredentials Credentials, IReadOnlyDictionary<string, string?>? Environment = null)
{
    /// <summary>Resolves the region and credentials; what is missing is one clear error with the fix.</summary>
    public static AwsEnvironment Resolve(IReadOnlyDictionary<string, string?>? environment = null)
    {
        string? Variable(string name) => environment is null ? System.Environment.GetEnvironmentVariable(name) : environment.GetValueOrDefault(name);
        var region = Variable("AWS_REGION") is { Length: > 0 } r ? r
            : Variable("AWS_DEFAULT_REGION") is { Length: > 0 } d ? d
            : environment is null ? FallbackRegionFactory.GetRegionEndpoint()?.SystemName : null;
        if (region is null)
        {
            throw new Diagnostics.PipelineInputException(Diagnostics.Diagnostic.Error(new Diagnostics.SourceLocation("--lane=aws"), "AWS-REGION", "No AWS region is configured", "set AWS_REGION (e.g. export AWS_REGION=eu-west-1) or a region in your AWS profile"));
        }

        AWSCredentials credentials;
        if (Variable("AWS_ACCESS_KEY_ID") is { Length: > 0 } key && Variable("AWS_SECRET_ACCESS_KEY") is { Length: > 0 } secret)
        {
            credentials = Variable("AWS_SESSION_TOKEN") is { Length: > 0 } session ? new SessionAWSCredentials(key, secret, session) : new BasicAWSCredentials(key, secret);
        }
        else if (environment is null)
        {
            try
            {
                credentials = Amazon.Runtime.Credentials.DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
            }
            catch (AmazonClientException ex)
            {
                throw new Diagnostics.PipelineInputException(Diagnostics.Diagnostic.Error(new Diagnostics.SourceLocation("--lane=aws"), "AWS-CREDENTIALS", $"No AWS credentials were found in the SDK's chain (environment, profile, SSO, container and instance roles){(ex.Message.Contains("returned the following errors", StringComparison.Ordinal) ? string.Empty : ": " + ex.Message.Split('\n')[0])}", "set AWS_PROFILE (after aws sso login) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; in CodeBuild the project's role is used"));
            }
        }
        else
        {
            throw new Diagnostics.PipelineInputException(Diagnostics.Diagnostic.Error(new Diagnostics.SourceLocation("--lane=aws"), "AWS-CREDENTIALS", "No AWS credentials were found", "set AWS_PROFILE (after aws sso login) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; in CodeBuild the project's role is used"));
        }

        return new AwsEnvironment(region, credentials, environment);
    }

    /// <summary>A service's endpoint: AWS_ENDPOINT_URL_&lt;SERVICE&gt;, else AWS_ENDPOINT_URL, else the regional one.</summary>
    public Uri Endpoint(string service, string endpointPrefix) =>
        new(EndpointOverride(service) is { } given ? given.TrimEnd('/') + "/" : $"https://{endpointPrefix}.{Region}.amazonaws.com/");

    /// <summary>Whether the service's endpoint is overridden (then S3 is addressed path-style, as the SDKs do).</summary>
    public bool HasEndpointOverride(string service) => EndpointOverride(service) is not null;

    /// <summary>The CloudFormation service role stacks are deployed and deleted with: <c>PIPELINE_DEPLOY_ROLE</c> (an ARN; the pipeline stack's DeployRole), or null.</summary>
    public string? DeployRole => Variable(DeployRoleVariable) is { Length: > 0 } role ? role : null;

    /// <summary>The variable naming the CloudFormation service role.</summary>
    public const string DeployRoleVariable = "PIPELINE_DEPLOY_ROLE";

    /// <summary>How often waits ask AWS: <c>PIPELINE_AWS_POLL_SECONDS</c> (default 5).</summary>
    public TimeSpan Poll => Duration("PIPELINE_AWS_POLL_SECONDS", TimeSpan.FromSeconds(1), "5") ?? TimeSpan.FromSeconds(5);

    /// <summary>How long one wait (a stack operation, a change set) may take: <c>PIPELINE_AWS_WAIT_MINUTES</c> (default 60).</summary>
    public TimeSpan WaitDeadline => Duration("PIPELINE_AWS_WAIT_MINUTES", TimeSpan.FromMinutes(1), "60") ?? TimeSpan.FromMinutes(60);

    private string? Variable(string name) => Environment is null ? System.Environment.GetEnvironmentVariable(name) : Environment.GetValueOrDefault(name);

    /// <summary>A number of <paramref name="unit"/>s from a variable, or null when it is unset; anything else is one error with the fix.</summary>
    private TimeSpan? Duration(string name, TimeSpan unit, string example)
    {
        if (Variable(name) is not { Length: > 0 } text)
        {
            return null;
        }

        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 0
            ? unit * value
            : throw new Diagnostics.PipelineInputException(Diagnostics.Diagnostic.Error(new Diagnostics.SourceLocation("$" + name), "AWS-WAIT", $"{name}='{text}' is not a number", $"set {name} to a number, e.g. {name}={example}, or unset it"));
    }

    private string? EndpointOverride(string service)
    {
        return Variable("AWS_ENDPOINT_URL_" + service.ToUpperInvariant().Replace('-', '_')) is { Length: > 0 } specific ? specific
            : Variable("AWS_ENDPOINT_URL") is { Length: > 0 } general ? general
            : null;
    }

    /// <summary>A signed HTTP client for a service.</summary>
    public HttpClient Http(string service, string endpointPrefix) => AwsHttp.Signed(Credentials, Region, endpointPrefix, Endpoint(service, endpointPrefix));

    /// <summary>The preflight: who these credentials are (STS GetCallerIdentity), before anything is changed.</summary>
    public async Task<CallerIdentity> CallerIdentityAsync(CancellationToken cancellationToken, AwsRetryPolicy? retry = null, AwsPlan? plan = null)
    {
        var sts = new AwsQueryClient(Http("sts", "sts"), "sts", "2011-06-15", retry, plan);
        var identity = await sts.CallAsync("GetCallerIdentity", [], cancellationToken);
        return new CallerIdentity((string?)identity["Account"] ?? string.Empty, (string?)identity["Arn"] ?? string.Empty, (string?)identity["UserId"] ?? string.Empty);
    }
}
