namespace GluePipeline.Build.Hosting;

/// <summary>
/// Thrown by a registered target whose capability has not landed yet. It says so plainly and fails
/// the run: a target never pretends to have done work it cannot do.
/// </summary>
public sealed class NotAvailableYetException : Exception
{
    /// <summary>Creates the exception naming what is missing.</summary>
    public NotAvailableYetException(string what)
        : base($"not available yet: {what}, see README (\"Status\")")
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public NotAvailableYetException()
        : this("this target")
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public NotAvailableYetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
