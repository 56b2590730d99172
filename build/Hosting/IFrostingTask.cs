using Cake.Core;

namespace GluePipeline.Build.Hosting;

/// <summary>
/// A task the host registers with Cake's engine. Implemented by <see cref="FrostingTask{T}"/> and
/// <see cref="AsyncFrostingTask{T}"/>; the shape mirrors Cake.Frosting so that switching to it is a
/// reference change.
/// </summary>
public interface IFrostingTask
{
    /// <summary>Runs the task.</summary>
    Task RunAsync(ICakeContext context);

    /// <summary>Whether the task should run; a skipped dependency is reported as skipped.</summary>
    bool ShouldRun(ICakeContext context);

    /// <summary>Why the task is skipped when <see cref="ShouldRun"/> is false (shown in the run's output).</summary>
    string SkipReason { get; }

    /// <summary>Handles an error of the task. As in Cake.Frosting, the error is swallowed unless rethrown.</summary>
    void OnError(Exception exception, ICakeContext context);

    /// <summary>Runs after the task, whether it succeeded or failed.</summary>
    void Finally(ICakeContext context);
}
