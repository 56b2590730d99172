using Cake.Core.Diagnostics;
using GluePipeline.Build.Hosting;
using GluePipeline.Stacks;

namespace GluePipeline.Build.Tasks;

/// <summary>Deletes the LiveTest stack of this run; the teardown hook does the same on failure.</summary>
[TaskName("TeardownLiveTest")]
[TaskDescription("Delete the LiveTest stack of this run, or --stack=<name> (the teardown hook also does it at the end of every run).")]
public sealed class TeardownLiveTestTask : AsyncFrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override async Task RunAsync(BuildContext context)
    {
        if (context.Lane == Lane.Aws)
        {
            var name = context.AwsDeployment?.Stack ?? await LiveTestStack.NameAsync(context);
            context.UnregisterTeardown(AwsLiveTestStack.TeardownKey(name));
            await AwsLiveTestStack.TeardownAsync(context, name, context.CancellationToken);
            return;
        }

        var stack = context.Deployment?.Manifest.Stack ?? await LiveTestStack.NameAsync(context);
        context.UnregisterTeardown($"local stack {stack}");
        await LiveTestDatabases.ReleaseAsync(context, stack, context.CancellationToken);
        context.Log.Information(LocalStack.Teardown(context.StateRoot, stack) ? "Tore down the local stack {0}" : "There is no local stack {0}: nothing to tear down", stack);
    }
}
