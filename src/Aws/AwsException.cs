namespace GluePipeline.Aws;

/// <summary>An AWS API call that failed: which service and operation, AWS's error code and message, and the request id to quote to AWS support.</summary>
public sealed class AwsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AwsException(string service, string operation, string code, string message, string? requestId, int statusCode, Exception? innerException = null)
        : base($"{service} {operation} failed: {code}: {message}{(requestId is null ? string.Empty : $" (request id {requestId})")}", innerException)
    {
        Service = service;
        Operation = operation;
        Code = code;
        AwsMessage = message;
        RequestId = requestId;
        StatusCode = statusCode;
    }

    /// <summary>Creates the exception.</summary>
    public AwsException()
        : this("aws", "call", "Unknown", "the call failed", null, 0)
    {
    }

    /// <summary>Creates the exception.</summary>
    public AwsException(string message)
        : this("aws", "call", "Unknown", message, null, 0)
    {
    }

    /// <summary>Creates the exception.</summary>
    public AwsException(string message, Exception innerException)
        : this("aws", "call", "Unknown", message, null, 0, innerException)
    {
    }

    /// <summary>The service, e.g. <c>glue</c>.</summary>
    public string Service { get; }

    /// <summary>The operation, e.g. <c>StartJobRun</c>.</summary>
    public string Operation { get; }

    /// <summary>AWS's error code, e.g. <c>EntityNotFoundException</c>.</summary>
    public string Code { get; }

    /// <summary>AWS's message.</summary>
    public string AwsMessage { get; }

    /// <summary>The request id, when AWS gave one.</summary>
    public string? RequestId { get; }

    /// <summary>The HTTP status.</summary>
    public int StatusCode { get; }

    /// <summary>Whether a retry may succeed: throttling or a transient server error.</summary>
    public bool IsRetryable => AwsRetryPolicy.IsRetryable(Code, StatusCode);
}
