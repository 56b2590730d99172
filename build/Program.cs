using System.Runtime.InteropServices;
using GluePipeline.Build;

// Ctrl-C (SIGINT) and SIGTERM (CodeBuild stopping a build) cancel the run; the teardown hook still
// runs. A second Ctrl-C is not intercepted, so it ends the process at once.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (!cancellation.IsCancellationRequested)
    {
        e.Cancel = true;
        Console.Error.WriteLine("Cancelling: finishing the current step and tearing down (Ctrl-C again to abort)...");
        cancellation.Cancel();
    }
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});

return await PipelineHost.Create().RunAsync(args, cancellation.Token);
