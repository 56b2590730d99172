using Cake.Core.Diagnostics;
using GluePipeline.Build.Hosting;
using GluePipeline.Data.Servers;
using GluePipeline.Stacks;

namespace GluePipeline.Build.Tasks;

/// <summary>Removes what killed runs left behind.</summary>
[TaskName("Sweep")]
[TaskDescription("Remove LiveTest stacks of runs that are gone (killed) or expired, and stop orphaned local servers (pidfiles); aws: delete this pipeline's stacks whose expiry tag has passed. Production and live runs are left alone.")]
public sealed class SweepTask : AsyncFrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override async Task RunAsync(BuildContext context)
    {
        if (context.Lane == Lane.Aws)
        {
            await AwsLiveTestStack.SweepAsync(context);
            return;
        }

        // A swept stack's databases on shared servers (PIPELINE_*_URL) are dropped; those on servers the dead run
        // started go with the servers.
        await using var shared = await DatabaseServers.StartAsync(new DatabaseServerOptions(context.ServersDirectory) { Choice = DatabaseProviderChoice.Urls }, _ => { }, context.CancellationToken);
        var result = Sweeper.Sweep(context.StateRoot, context.ServersDirectory, beforeRemove: state =>
            StackDatabases.ReleaseAsync(state, shared, line => context.Log.Information("{0}", line), context.CancellationToken).GetAwaiter().GetResult());
        foreach (var line in result.RemovedStacks)
        {
            context.Log.Information("removed stack  {0}", line);
        }

        foreach (var line in result.StoppedServers)
        {
            context.Log.Information("stopped server {0}", line);
        }

        foreach (var line in result.KeptStacks.Concat(result.KeptServers))
        {
            context.Log.Information("kept           {0}", line);
        }

        context.Log.Information("Sweep: {0} stack(s) removed, {1} server(s) stopped, {2} left alone (production is never swept)", result.RemovedStacks.Count, result.StoppedServers.Count, result.KeptStacks.Count + result.KeptServers.Count);
    }
}
