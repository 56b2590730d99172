using System.Collections.Concurrent;
using Cake.Core;
using GluePipeline.Build.Hosting;
using GluePipeline.Diagnostics;

namespace GluePipeline.Tests.Hosting;

/// <summary>Collects what the test tasks did, in order; flows to the host's context through an AsyncLocal.</summary>
public sealed class Recorder
{
    private static readonly AsyncLocal<Recorder?> CurrentRecorder = new();

    public static Recorder Current => CurrentRecorder.Value ?? throw new InvalidOperationException("No recorder for this test.");

    public ConcurrentQueue<string> Events { get; } = new();

    public TaskCompletionSource SlowTaskStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Makes this recorder the one contexts created on this async flow record into.</summary>
    public void MakeCurrent() => CurrentRecorder.Value = this;

    public void Add(string e) => Events.Enqueue(e);
}

public sealed class RecordingContext : FrostingContext
{
    public RecordingContext(ICakeContext context)
        : base(context)
    {
        Recorder = Recorder.Current;
        if (context.Arguments.HasArgument("fail-context"))
        {
            throw new HostUsageException("--fail-context", "ARG-TEST", "The context refused the arguments", "do not pass --fail-context");
        }
    }

    public Recorder Recorder { get; }
}

public sealed class RecordingLifetime : FrostingLifetime<RecordingContext>
{
    public override void Setup(RecordingContext context, ISetupContext info) => context.Recorder.Add("Setup");

    public override void Teardown(RecordingContext context, ITeardownContext info) =>
        context.Recorder.Add(info.Successful ? "Teardown(success)" : "Teardown(failure)");
}

[TaskName("First")]
[TaskDescription("Records and registers a resource for teardown.")]
public sealed class FirstTask : FrostingTask<RecordingContext>
{
    public override void Run(RecordingContext context)
    {
        context.Recorder.Add("First.Run");
        context.RegisterTeardown("resource:first", _ =>
        {
            context.Recorder.Add("Teardown resource:first");
            return Task.CompletedTask;
        });
    }
}

[TaskName("Second")]
[IsDependentOn(typeof(FirstTask))]
public sealed class SecondTask : FrostingTask<RecordingContext>
{
    public override void Run(RecordingContext context) => context.Recorder.Add("Second.Run");
}

[TaskName("Third")]
[IsDependentOn(typeof(SecondTask))]
public sealed class ThirdTask : AsyncFrostingTask<RecordingContext>
{
    public override async Task RunAsync(RecordingContext context)
    {
        await Task.Yield();
        context.Recorder.Add("Third.Run");
    }
}

[TaskName("Failing")]
[IsDependentOn(typeof(FirstTask))]
public sealed class FailingTask : FrostingTask<RecordingContext>
{
    public override void Run(RecordingContext context)
    {
        context.Recorder.Add("Failing.Run");
        throw new InvalidOperationException("boom from Failing");
    }

    public override void OnError(Exception exception, RecordingContext context)
    {
        context.Recorder.Add("Failing.OnError:" + exception.Message);
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception).Throw();
    }

    public override void Finally(RecordingContext context) => context.Recorder.Add("Failing.Finally");
}

[TaskName("AfterFailing")]
[IsDependentOn(typeof(FailingTask))]
public sealed class AfterFailingTask : FrostingTask<RecordingContext>
{
    public override void Run(RecordingContext context) => context.Recorder.Add("AfterFailing.Run");
}

[TaskName("Swallowing")]
public sealed class SwallowingTask : FrostingTask<RecordingContext>
{
    public override void Run(RecordingContext context) => throw new InvalidOperationException("handled");

    public override void OnError(Exception exception, RecordingContext context) => context.Recorder.Add("Swallowing.OnError");
}

[TaskName("Slow")]
[IsDependentOn(typeof(FirstTask))]
public sealed class SlowTask : AsyncFrostingTask<RecordingContext>
{
    public override async Task RunAsync(RecordingContext context)
    {
        context.Recorder.Add("Slow.Started");
        context.Recorder.SlowTaskStarted.TrySetResult();
        await Task.Delay(Timeout.Infinite, context.CancellationToken);
        context.Recorder.Add("Slow.Finished");
    }

    public override void Finally(RecordingContext context) => context.Recorder.Add("Slow.Finally");
}

[TaskName("AfterSlow")]
[IsDependentOn(typeof(SlowTask))]
public sealed class AfterSlowTask : FrostingTask<RecordingContext>
{
    public override void Run(RecordingContext context) => context.Recorder.Add("AfterSlow.Run");
}

[TaskName("ExitSeven")]
public sealed class ExitSevenTask : FrostingTask<RecordingContext>
{
    public override void Run(RecordingContext context) => throw new TargetFailedException("seven it is", 7);
}

[TaskName("BadInput")]
public sealed class BadInputTask : FrostingTask<RecordingContext>
{
    public override void Run(RecordingContext context) =>
        throw new PipelineInputException(Diagnostic.Error(new SourceLocation("jobs/x/job.yaml", 4, 7), "SPEC-FIELD", "Unknown field 'sourcs'", "did you mean 'sources'?"));
}

[TaskName("Skipped")]
public sealed class SkippedTask : FrostingTask<RecordingContext>
{
    public override bool ShouldRun(RecordingContext context) => false;

    public override void Run(RecordingContext context) => context.Recorder.Add("Skipped.Run");
}

[TaskName("AfterSkipped")]
[IsDependentOn(typeof(SkippedTask))]
public sealed class AfterSkippedTask : FrostingTask<RecordingContext>
{
    public override void Run(RecordingContext context) => context.Recorder.Add("AfterSkipped.Run");
}

[TaskName("LeakyTeardown")]
public sealed class LeakyTeardownTask : FrostingTask<RecordingContext>
{
    public override void Run(RecordingContext context)
    {
        context.RegisterTeardown("stack:leaky", _ => throw new InvalidOperationException("DELETE_FAILED"));
        context.RegisterTeardown("stack:fine", _ =>
        {
            context.Recorder.Add("Teardown stack:fine");
            return Task.CompletedTask;
        });
    }
}

/// <summary>The host the behaviour tests drive: the recording tasks only.</summary>
public static class RecordingHost
{
    public static CakeHost Create() =>
        new CakeHost()
            .UseContext<RecordingContext>()
            .UseLifetime<RecordingLifetime>()
            .UseSwitches([HostSwitch.Flag("fail-context", "Makes the context refuse the arguments.")])
            .AddTask<FirstTask>()
            .AddTask<SecondTask>()
            .AddTask<ThirdTask>()
            .AddTask<FailingTask>()
            .AddTask<AfterFailingTask>()
            .AddTask<SwallowingTask>()
            .AddTask<SlowTask>()
            .AddTask<AfterSlowTask>()
            .AddTask<ExitSevenTask>()
            .AddTask<BadInputTask>()
            .AddTask<SkippedTask>()
            .AddTask<AfterSkippedTask>()
            .AddTask<LeakyTeardownTask>();
}
