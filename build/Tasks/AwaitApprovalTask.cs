using GluePipeline.Build.Hosting;

namespace GluePipeline.Build.Tasks;

/// <summary>A person approves the exact artifact digest; nothing is promoted without it.</summary>
[TaskName("AwaitApproval")]
[TaskDescription("Approve or reject the artifact digest: prompt on a terminal, else --approve / --reject; fails closed.")]
[IsDependentOn(typeof(AutomatedLiveTestTask))]
public sealed class AwaitApprovalTask : FrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override void Run(BuildContext context) =>
        throw new NotAvailableYetException("approval bound to the artifact digest (issue #11)");
}
