using Cake.Core.Diagnostics;
using GluePipeline.Build.Hosting;
using GluePipeline.Stacks;

namespace GluePipeline.Build.Tasks;

/// <summary>The aws lane's production stack: guarded promotion of the approved digest.</summary>
internal static class AwsProductionStack
{
    /// <summary>The variable naming the production stack (default <c>&lt;artifact name&gt;-prod</c>).</summary>
    public const string StackVariable = "PIPELINE_PROD_STACK";

    public static string Name(BuildContext context) =>
        Environment.GetEnvironmentVariable(StackVariable) is { Length: > 0 } given ? given : $"{context.ArtifactName}-prod";

    /// <summary>
    /// The digest a person approved: this run's AwaitApproval, or <c>--digest</c>, which the pipeline's
    /// production action is given from the approval stage (CodePipeline runs it only after the approval).
    /// </summary>
    public static string? ApprovedDigest(BuildContext context) =>
        context.Approval is { Verdict: GluePipeline.Approval.Verdict.Approved } approval ? approval.Digest : context.ExpectedDigest;

    public static async Task PromoteAsync(BuildContext context, string zip)
    {
        var digest = ApprovedDigest(context) ?? throw new TargetFailedException("There is no approved digest: not promoted (approve in this run, or give the digest the pipeline's approval passed with --digest=<sha256>)");
        var bucket = context.ArtifactBucket;
        var aws = await context.AwsAsync();
        var stack = Name(context);
        try
        {
            var promotion = await AwsProduction.PromoteAsync(
                new AwsPromoteRequest(zip, digest, bucket, stack, context.Approval?.Who ?? BuildContext.Who) { AllowDataLoss = context.AllowDataLoss },
                aws,
                line => context.Log.Information("{0}", line),
                context.CancellationToken);
            context.Promotion = new PromotionResult(promotion.Release, promotion.Changed, null);
            context.Log.Information(
                promotion.Changed ? "PROMOTED {0} ({1}) to the aws stack {2}; release history: s3://{3}/{4}" : "{0} ({1}) is already what {2} runs: nothing to do; release history: s3://{3}/{4}",
                promotion.Release.Version,
                promotion.Release.Digest,
                stack,
                bucket,
                AwsProduction.HistoryKey(stack));
        }
        catch (PromotionRefusedException ex)
        {
            throw new TargetFailedException(ex.Message);
        }
    }

    public static async Task RollbackAsync(BuildContext context, string to)
    {
        var bucket = context.ArtifactBucket;
        var aws = await context.AwsAsync();
        var stack = Name(context);
        var rolledBack = await AwsProduction.RollbackAsync(to, context.ArtifactName, bucket, stack, BuildContext.Who, context.AllowDataLoss, aws, line => context.Log.Information("{0}", line), context.CancellationToken);
        if (rolledBack is not null)
        {
            context.Log.Information("ROLLED BACK {0} to {1} ({2})", stack, rolledBack.Release.Version, rolledBack.Release.Digest);
        }
    }
}
