using GluePipeline.Build.Hosting;

namespace GluePipeline.Build.Tasks;

/// <summary>Deploys the LiveTest stack of the lane and registers it for teardown.</summary>
[TaskName("DeployLiveTest")]
[TaskDescription("Deploy the LiveTest stack of the lane (named per branch/PR); registered for teardown.")]
[IsDependentOn(typeof(PackageTask))]
public sealed class DeployLiveTestTask : FrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override void Run(BuildContext context) =>
        throw new NotAvailableYetException(context.Lane == Lane.Local
            ? "the local LiveTest stack (issue #10)"
            : "the aws LiveTest stack (issue #14)");
}
