namespace GluePipeline.Diagnostics;

/// <summary>
/// A user mistake in an input (a template, job spec, rule file or argument). The host prints its
/// diagnostics in the shared error shape, without stack frames, and exits with code 2.
/// </summary>
public sealed class PipelineInputException : Exception
{
    /// <summary>Creates the exception from one or more findings (at least one).</summary>
    public PipelineInputException(IEnumerable<Diagnostic> diagnostics)
        : this(diagnostics.ToArray())
    {
    }

    /// <summary>Creates the exception from one or more findings (at least one).</summary>
    public PipelineInputException(params Diagnostic[] diagnostics)
        : base(Describe(diagnostics))
    {
        Diagnostics = diagnostics;
    }

    /// <summary>Creates the exception with a message only (prefer the diagnostic overloads).</summary>
    public PipelineInputException()
        : this(Diagnostic.Error(null, "INPUT", "The input is not valid"))
    {
    }

    /// <summary>Creates the exception with a message only (prefer the diagnostic overloads).</summary>
    public PipelineInputException(string message)
        : this(Diagnostic.Error(null, "INPUT", message))
    {
    }

    /// <summary>Creates the exception with a message and the exception that revealed the mistake.</summary>
    public PipelineInputException(string message, Exception innerException)
        : base(message, innerException)
    {
        Diagnostics = [Diagnostic.Error(null, "INPUT", message)];
    }

    /// <summary>The findings, in the order they were found.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    private static string Describe(IReadOnlyCollection<Diagnostic> diagnostics)
    {
        if (diagnostics.Count == 0)
        {
            throw new ArgumentException("At least one diagnostic is required.", nameof(diagnostics));
        }

        return string.Join(Environment.NewLine, diagnostics);
    }
}
