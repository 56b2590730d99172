using GluePipeline.Build.Hosting;

namespace GluePipeline.Build.Tasks;

/// <summary>Removes what killed runs left behind.</summary>
[TaskName("Sweep")]
[TaskDescription("Remove expired LiveTest stacks and state, and orphaned local database servers (pidfiles).")]
public sealed class SweepTask : FrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override void Run(BuildContext context) =>
        throw new NotAvailableYetException("sweeping leftovers (issues #11, #12, #14)");
}
