namespace GluePipeline.Data.Servers;

/// <summary>A database server could not be started, prepared or stopped; the message says which and why (never a password).</summary>
public sealed class DatabaseServerException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DatabaseServerException()
        : base("A database server failed")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public DatabaseServerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public DatabaseServerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
