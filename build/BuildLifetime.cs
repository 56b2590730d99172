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
        context.DecidesRelease = info.TasksToExecute.Any(t => t.Name == "AwaitApproval");
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

        if (context.DecidesRelease && !context.IsDryRun)
        {
            context.Log.Information("Release: {0}", ReleaseLine(context));
        }
    }

    /// <summary>What happened to production in this run, in one line of the summary.</summary>
    private static string ReleaseLine(BuildContext context) => (context.Approval?.Verdict, context.Promotion) switch
    {
        (GluePipeline.Approval.Verdict.Approved, { Changed: true } p) => $"PROMOTED {p.Release.Version} ({p.Release.Digest}) to prod",
        (GluePipeline.Approval.Verdict.Approved, { Changed: false } p) => $"{p.Release.Version} ({p.Release.Digest}) was already in prod: nothing promoted",
        (GluePipeline.Approval.Verdict.Approved, null) => "NOT PROMOTED (the promotion did not complete)",
        (GluePipeline.Approval.Verdict.Rejected, _) => $"NOT PROMOTED (rejected by {context.Approval!.Who})",
        (GluePipeline.Approval.Verdict.NotApproved, _) => "NOT PROMOTED (not approved: answer the prompt on a terminal, or run with --approve)",
        _ => "NOT PROMOTED (the run stopped before approval)",
    };
}
