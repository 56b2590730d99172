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
        context.RegisterTeardown(TeardownKey(stack), token => TeardownAsync(context, stack, token));

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
        context.Log.Information(
            "{0} the aws stack {1} ({2}); capabilities: {3}; expires {4}",
            deployment.Action switch { "CREATE" => "Created", "UPDATE" => "Updated", _ => "No changes to" },
            stack,
            deployment.Status,
            deployment.Capabilities.Count == 0 ? "none" : string.Join(", ", deployment.Capabilities),
            deployment.Tags.GetValueOrDefault(AwsStack.ExpiryTag, "never"));
        foreach (var (name, value) in deployment.Outputs)
        {
            context.Log.Information("  output {0} = {1}", name, value);
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
    private static void CheckName(string stack)
    {
        if (!StackName().IsMatch(stack) || stack.Length > 128)
        {
            throw new PipelineInputException(Diagnostic.Error(new SourceLocation("--stack"), "ARG-STACK", $"'{stack}' is not a CloudFormation stack name", "use a letter, then letters, digits and hyphens, at most 128 characters (e.g. livetest-main-3fa9c1)"));
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-zA-Z][-a-zA-Z0-9]*$")]
    private static partial System.Text.RegularExpressions.Regex StackName();
}
