using System.Diagnostics.CodeAnalysis;
using Cake.Core;

namespace GluePipeline.Build.Hosting;

/// <summary>Base class of a synchronous task with a typed context (as in Cake.Frosting).</summary>
/// <typeparam name="T">The context type.</typeparam>
[SuppressMessage("Design", "CA1033", Justification = "The explicit members only cast the context for the typed overloads.")]
public abstract class FrostingTask<T> : IFrostingTask
    where T : ICakeContext
{
    /// <summary>Runs the task.</summary>
    public virtual void Run(T context)
    {
    }

    /// <summary>Whether the task should run.</summary>
    public virtual bool ShouldRun(T context) => true;

    /// <summary>Why the task is skipped when <see cref="ShouldRun"/> is false.</summary>
    public virtual string SkipReason => "its condition is not met";

    /// <summary>Handles an error; the error is swallowed unless rethrown.</summary>
    public virtual void OnError(Exception exception, T context)
    {
    }

    /// <summary>Runs after the task, whether it succeeded or failed.</summary>
    public virtual void Finally(T context)
    {
    }

    Task IFrostingTask.RunAsync(ICakeContext context)
    {
        Run((T)context);
        return Task.CompletedTask;
    }

    bool IFrostingTask.ShouldRun(ICakeContext context) => ShouldRun((T)context);

    void IFrostingTask.OnError(Exception exception, ICakeContext context) => OnError(exception, (T)context);

    void IFrostingTask.Finally(ICakeContext context) => Finally((T)context);
}

/// <summary>
/// Base class of an asynchronous task with a typed context (as in Cake.Frosting). The context's
/// <see cref="FrostingContext.CancellationToken"/> is cancelled by Ctrl-C or SIGTERM; pass it on.
/// </summary>
/// <typeparam name="T">The context type.</typeparam>
[SuppressMessage("Design", "CA1033", Justification = "The explicit members only cast the context for the typed overloads.")]
public abstract class AsyncFrostingTask<T> : IFrostingTask
    where T : ICakeContext
{
    /// <summary>Runs the task.</summary>
    public virtual Task RunAsync(T context) => Task.CompletedTask;

    /// <summary>Whether the task should run.</summary>
    public virtual bool ShouldRun(T context) => true;

    /// <summary>Why the task is skipped when <see cref="ShouldRun"/> is false.</summary>
    public virtual string SkipReason => "its condition is not met";

    /// <summary>Handles an error; the error is swallowed unless rethrown.</summary>
    public virtual void OnError(Exception exception, T context)
    {
    }

    /// <summary>Runs after the task, whether it succeeded or failed.</summary>
    public virtual void Finally(T context)
    {
    }

    Task IFrostingTask.RunAsync(ICakeContext context) => RunAsync((T)context);

    bool IFrostingTask.ShouldRun(ICakeContext context) => ShouldRun((T)context);

    void IFrostingTask.OnError(Exception exception, ICakeContext context) => OnError(exception, (T)context);

    void IFrostingTask.Finally(ICakeContext context) => Finally((T)context);
}
