using GluePipeline.Build.Hosting;

namespace GluePipeline.Build.Tasks;

/// <summary>Deploys the approved artifact digest to production.</summary>
[TaskName("PromoteToProduction")]
[TaskDescription("Deploy the approved digest to the production stack (change-set preview guards data-bearing resources).")]
[IsDependentOn(typeof(AwaitApprovalTask))]
public sealed class PromoteToProductionTask : FrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override void Run(BuildContext context) =>
        throw new NotAvailableYetException("promotion to production (issues #11, #15)");
}
