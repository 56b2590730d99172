using Cake.Core.Diagnostics;
using GluePipeline.Diagnostics;
using GluePipeline.Stacks;

namespace GluePipeline.Build.Tasks;

/// <summary>The aws lane's LiveTest stack: deployed through CloudFormation, torn down by the teardown hook, swept by expiry.</summary>
internal static partial class AwsLiveTestStack
{
    public static async Task DeployAsync(BuildContext context, string stack, string artifactZip)
    {
        CheckName(stack);
        var bucket = context.ArtifactBucket;
        var aws = await context.AwsAsync();

        // The stack's jobs read their scripts and specs from the published artifact: the tested bytes.
        await AwsPublish.PublishAsync(artifactZip, bucket, aws, line => context.Log.Information("{0}", line), context.CancellationToken);

        // Registered before anything exists: a deployment that fails or is cancelled halfway is still torn down.
        context.RegisterStackTeardown(TeardownKey(stack), token => TeardownAsync(context, stack, token));

        var origin = await LiveTestStack.OriginAsync(context);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["owner"] = BuildContext.Who,
            ["branch"] = origin.PullRequest is { } pr ? $"pr/{pr}" : origin.Branch ?? "detached",
        };
        var deployment = await AwsStack.DeployAsync(
            new AwsDeployRequest(stack, artifactZip, bucket) { Tags = tags },
            aws,
            line => context.Log.Information("{0}", line),
            context.CancellationToken);
        context.AwsDeployment = deployment;
        Report(context, "aws stack", deployment);
    }

    /// <summary>What a deployment did: the action, status, capabilities, expiry and outputs.</summary>
    public static void Report(BuildContext context, string what, AwsDeployment deployment)
    {
        context.Log.Information(
            "{0} the {1} {2} ({3}); capabilities: {4}; expires {5}",
            deployment.Action switch { "CREATE" => "Created", "UPDATE" => "Updated", _ => "No changes to" },
            what,
            deployment.Stack,
            deployment.Status,
            deployment.Capabilities.Count == 0 ? "none" : string.Join(", ", deployment.Capabilities),
            deployment.Tags.GetValueOrDefault(AwsStack.ExpiryTag, "never"));
        foreach (var (name, value) in deployment.Outputs)
        {
            context.Log.Information("  output {0} = {1}", name, value);
        }
    }

    /// <summary>
    /// AutomatedLiveTest against the deployed aws stack: mirrored from its template and physical ids,
    /// fixtures uploaded, crawlers and jobs run in Glue, rules on Athena, livetests/ with an Athena engine.
    /// </summary>
    public static async Task<(LiveTestResult Result, RunManifest Manifest, LiveTestOptions Options)> TestAsync(BuildContext context)
    {
        var stack = context.AwsDeployment?.Stack ?? await LiveTestStack.NameAsync(context);
        CheckName(stack);
        var zip = context.PackagedArtifact?.ZipPath ?? context.ArtifactPath
            ?? throw new PipelineInputException(Diagnostic.Error(new SourceLocation("--artifact"), "ARG-ARTIFACT", "The aws lane's AutomatedLiveTest reads what the stack holds from the artifact it was deployed from, and this run has none", "run it with its dependencies (Package, DeployLiveTest), or give --artifact=<zip>"));
        var aws = await context.AwsAsync();
        var bucket = context.ArtifactBucket;
        var athena = GluePipeline.Aws.AthenaOptions.FromEnvironment($"s3://{bucket}/athena-results/{stack}/");
        var log = (string line) => context.Log.Information("{0}", line);
        var scratch = Path.Combine(context.RepositoryRoot, ".pipeline", "aws");
        try
        {
            var mirror = await AwsLiveTest.MirrorAsync(new AwsLiveTestRequest(stack, zip, bucket, scratch), aws, log, context.CancellationToken);
            var options = AutomatedLiveTestTask.Options(context, mirror.Manifest, athena.ToEnvironment());
            await using var lane = new AwsLiveTestLane(mirror.Manifest, aws, athena, log);
            var result = await LiveTestRun.RunAsync(mirror.Manifest, mirror.ManifestPath, lane, options, log, context.CancellationToken);

            // The manifest stays beside the reports: `PIPELINE_RUN_MANIFEST=<it> dotnet test livetests` re-runs livetests/ by hand.
            var kept = mirror.Manifest with { BucketsRoot = null, Catalog = null, Bookmarks = null, StateDirectory = null };
            kept.Save(Path.Combine(options.ReportDirectory, RunManifest.FileName));
            return (result, kept, options);
        }
        finally
        {
            // The mirror holds the specs and fixtures only until they are used; the stack itself is in AWS.
            LocalStack.Teardown(scratch, stack);
        }
    }

    public static async Task TeardownAsync(BuildContext context, string stack, CancellationToken cancellationToken)
    {
        CheckName(stack);
        var aws = await context.AwsAsync();
        var deleted = await AwsStack.TeardownAsync(stack, aws, line => context.Log.Information("{0}", line), cancellationToken);
        context.Log.Information(deleted ? "Deleted the aws stack {0}" : "There is no aws stack {0}: nothing to tear down", stack);
    }

    public static string TeardownKey(string stack) => $"aws stack {stack}";

    public static async Task SweepAsync(BuildContext context)
    {
        var aws = await context.AwsAsync();
        var result = await AwsStack.SweepAsync(context.ArtifactName, aws, line => context.Log.Information("{0}", line), context.CancellationToken);
        foreach (var line in result.Removed)
        {
            context.Log.Information("removed stack  {0}", line);
        }

        foreach (var line in result.Kept)
        {
            context.Log.Information("kept           {0}", line);
        }

        foreach (var line in result.Failed)
        {
            context.Log.Error("not removed    {0}", line);
        }

        context.Log.Information("Sweep (aws, {0}): {1} stack(s) removed, {2} left alone (stacks without an expiry tag, production included, are never swept)", aws.Environment.Region, result.Removed.Count, result.Kept.Count);
        if (result.Failed.Count > 0)
        {
            throw new Hosting.TargetFailedException($"Sweep could not delete {result.Failed.Count} stack(s): {string.Join("; ", result.Failed)}");
        }
    }

    /// <summary>CloudFormation's rule for stack names, checked before anything is sent.</summary>
    internal static void CheckName(string stack)
    {
        if (!StackName().IsMatch(stack) || stack.Length > 128)
        {
            throw new PipelineInputException(Diagnostic.Error(new SourceLocation("--stack"), "ARG-STACK", $"'{stack}' is not a CloudFormation stack name", "use a letter, then letters, digits and hyphens, at most 128 characters (e.g. livetest-main-3fa9c1)"));
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-zA-Z][-a-zA-Z0-9]*$")]
    private static partial System.Text.RegularExpressions.Regex StackName();
}
