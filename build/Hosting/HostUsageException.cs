using GluePipeline.Diagnostics;

namespace GluePipeline.Build.Hosting;

/// <summary>A mistake on the command line; the host prints it in the shared error shape and exits with 2.</summary>
public sealed class HostUsageException : Exception
{
    /// <summary>Creates the exception for the given argument (e.g. <c>--lane=foo</c>).</summary>
    public HostUsageException(string argument, string rule, string message, string fix)
        : base(message)
    {
        Diagnostic = Diagnostic.Error(new SourceLocation(argument), rule, message, fix);
    }

    /// <summary>Creates the exception with a message only.</summary>
    public HostUsageException()
        : this("command line", "USAGE", "The command line is not valid", "run with --help")
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    public HostUsageException(string message)
        : this("command line", "USAGE", message, "run with --help")
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public HostUsageException(string message, Exception innerException)
        : base(message, innerException)
    {
        Diagnostic = Diagnostic.Error(new SourceLocation("command line"), "USAGE", message, "run with --help");
    }

    /// <summary>The finding to print.</summary>
    public Diagnostic Diagnostic { get; }
}
