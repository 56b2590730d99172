using Cake.Core.Diagnostics;
using GluePipeline.Build.Hosting;
using GluePipeline.Diagnostics;
using GluePipeline.Stacks;

namespace GluePipeline.Build.Tasks;

/// <summary>Puts an earlier release back in production.</summary>
[TaskName("Rollback")]
[TaskDescription("Re-promote an earlier approved release from the release history: --to=<digest|version>.")]
public sealed class RollbackTask : AsyncFrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override async Task RunAsync(BuildContext context)
    {
        var to = context.Arguments.GetArguments("to") is { Count: > 0 } values
            ? values.Last()
            : throw new PipelineInputException(Diagnostic.Error(new SourceLocation("--to"), "ARG-TO", "Rollback needs --to", "write --to=<version or digest (7+ characters)> of an earlier release"));
        try
        {
            if (context.Lane == Lane.Aws)
            {
                await AwsProductionStack.RollbackAsync(context, to);
                return;
            }

            var result = await new LocalProduction(context.ProductionRoot).RollbackAsync(to, BuildContext.Who, null, context.CancellationToken);
            context.Log.Information(result.Changed ? "ROLLED BACK production to {0} ({1})" : "{0} ({1}) is already in production: nothing to do", result.Release.Version, result.Release.Digest);
        }
        catch (PromotionRefusedException ex)
        {
            throw new TargetFailedException(ex.Message);
        }
    }
}
