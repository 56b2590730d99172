namespace GluePipeline.Build.Hosting;

/// <summary>
/// Thrown by a task to fail the run with a message and an exit code of its own (e.g. Lint's 1 for
/// findings vs 2 for unparseable input); the host passes the code through.
/// </summary>
public sealed class TargetFailedException : Exception
{
    /// <summary>Fails the run with the given message and exit code.</summary>
    public TargetFailedException(string message, int exitCode)
        : base(message)
    {
        if (exitCode == ExitCodes.Success)
        {
            throw new ArgumentOutOfRangeException(nameof(exitCode), "A failed target cannot exit with 0.");
        }

        ExitCode = exitCode;
    }

    /// <summary>Fails the run with exit code 1.</summary>
    public TargetFailedException(string message)
        : this(message, ExitCodes.Failure)
    {
    }

    /// <summary>Fails the run with exit code 1.</summary>
    public TargetFailedException()
        : this("The target failed.", ExitCodes.Failure)
    {
    }

    /// <summary>Fails the run with exit code 1, keeping the cause.</summary>
    public TargetFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCodes.Failure;
    }

    /// <summary>The process exit code.</summary>
    public int ExitCode { get; }
}
