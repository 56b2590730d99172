using Cake.Core.Diagnostics;
using GluePipeline.Approval;
using GluePipeline.Build.Hosting;
using GluePipeline.Diagnostics;
using GluePipeline.Stacks;

namespace GluePipeline.Build.Tasks;

/// <summary>Deploys the approved artifact digest to production.</summary>
[TaskName("PromoteToProduction")]
[TaskDescription("Only when approved: verify the artifact against its manifest and the approved digest, deploy it to the prod stack, record the release (the same digest again is a no-op). aws: publish, preview the change set and refuse replacing or removing data-bearing resources unless --allow-data-loss.")]
[IsDependentOn(typeof(AwaitApprovalTask))]
public sealed class PromoteToProductionTask : AsyncFrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override bool ShouldRun(BuildContext context) =>
        context.IsDryRun || context.Approval?.Verdict == Verdict.Approved || (context.Lane == Lane.Aws && context.Approval is null && context.ExpectedDigest is not null);

    /// <inheritdoc/>
    public override string SkipReason => "NOT PROMOTED: the artifact was not approved (answer the prompt on a terminal, or run with --approve; the aws lane's production action passes the approved digest with --digest=<sha256>)";

    /// <inheritdoc/>
    public override async Task RunAsync(BuildContext context)
    {
        var zip = context.PackagedArtifact?.ZipPath ?? context.ArtifactPath
            ?? throw new PipelineInputException(Diagnostic.Error(new SourceLocation("--artifact"), "ARG-ARTIFACT", "There is no artifact to promote", "run PromoteToProduction with its dependencies"));
        if (context.Lane == Lane.Aws)
        {
            await AwsProductionStack.PromoteAsync(context, zip);
            return;
        }

        try
        {
            var result = await new LocalProduction(context.ProductionRoot).PromoteAsync(zip, new ApprovalStore(context.ApprovalsDirectory), context.Approval?.Who ?? BuildContext.Who, null, context.CancellationToken);
            context.Promotion = result;
            context.Log.Information(result.Changed
                ? "PROMOTED {0} ({1}) to the local prod stack; release history: {2}"
                : "{0} ({1}) is already in production: nothing to do; release history: {2}", result.Release.Version, result.Release.Digest, Path.Combine(context.ProductionRoot, "releases.jsonl"));
        }
        catch (PromotionRefusedException ex)
        {
            throw new TargetFailedException(ex.Message);
        }
    }
}
