namespace GluePipeline.Repository;

/// <summary>A git command failed; carries the command and what git printed.</summary>
public sealed class GitCommandException : Exception
{
    /// <summary>Creates the exception for a failed command.</summary>
    public GitCommandException(string arguments, int exitCode, string stderr)
        : base($"git {arguments} failed with exit code {exitCode}: {stderr.Trim()}")
    {
        Arguments = arguments;
        ExitCode = exitCode;
    }

    /// <summary>Creates the exception with a message.</summary>
    public GitCommandException()
        : this("(unknown)", -1, string.Empty)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public GitCommandException(string message)
        : base(message)
    {
        Arguments = string.Empty;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public GitCommandException(string message, Exception innerException)
        : base(message, innerException)
    {
        Arguments = string.Empty;
    }

    /// <summary>The git arguments that failed.</summary>
    public string Arguments { get; }

    /// <summary>The exit code git returned.</summary>
    public int ExitCode { get; }
}
