using GluePipeline.Build.Hosting;

namespace GluePipeline.Build.Tasks;

/// <summary>Seeds fixtures, runs crawlers and jobs, evaluates the rules and runs livetests/.</summary>
[TaskName("AutomatedLiveTest")]
[TaskDescription("Fixtures, crawlers, jobs, DQDL rules and livetests/ against the LiveTest stack.")]
[IsDependentOn(typeof(DeployLiveTestTask))]
public sealed class AutomatedLiveTestTask : FrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override void Run(BuildContext context) =>
        throw new NotAvailableYetException(context.Lane == Lane.Local
            ? "the local lane's AutomatedLiveTest (issue #10)"
            : "the aws lane's AutomatedLiveTest (issue #15)");
}
