using GluePipeline.Build.Hosting;

namespace GluePipeline.Build.Tasks;

/// <summary>Deletes the LiveTest stack of this run; the teardown hook does the same on failure.</summary>
[TaskName("TeardownLiveTest")]
[TaskDescription("Delete the LiveTest stack of this run (the teardown hook also does it on failure or Ctrl-C).")]
public sealed class TeardownLiveTestTask : FrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override void Run(BuildContext context) =>
        throw new NotAvailableYetException(context.Lane == Lane.Local
            ? "tearing down the local LiveTest stack (issues #10, #11)"
            : "tearing down the aws LiveTest stack (issue #14)");
}
