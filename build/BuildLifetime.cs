using Cake.Core;
using Cake.Core.Diagnostics;
using GluePipeline.Build.Hosting;

namespace GluePipeline.Build;

/// <summary>Announces the run before the first task; the host's teardown hook does the cleaning up.</summary>
public sealed class BuildLifetime : FrostingLifetime<BuildContext>
{
    /// <inheritdoc/>
    public override void Setup(BuildContext context, ISetupContext info)
    {
        context.Log.Information(
            "Target {0} · lane {1} · {2} task(s): {3}",
            context.Target,
            context.Lane.ToString().ToLowerInvariant(),
            info.TasksToExecute.Count,
            string.Join(" -> ", info.TasksToExecute.Select(t => t.Name)));
    }

    /// <inheritdoc/>
    public override void Teardown(BuildContext context, ITeardownContext info)
    {
        if (!info.Successful)
        {
            context.Log.Verbose("The run failed: {0}", info.ThrownException?.Message ?? "(no message)");
        }
    }
}
