namespace GluePipeline.Aws;

/// <summary>
/// Retries of throttled and transiently failed calls, with full-jitter exponential backoff
/// (<c>random * min(2^attempt, cap)</c> times the base). Each retry is a new, newly signed request.
/// </summary>
/// <param name="MaxAttempts">Attempts in all (the first included).</param>
/// <param name="Base">The backoff unit (1 s against AWS; milliseconds in tests).</param>
/// <param name="Cap">The largest backoff, in units.</param>
public sealed record AwsRetryPolicy(int MaxAttempts = 6, TimeSpan? Base = null, double Cap = 20)
{
    private static readonly HashSet<string> Throttling = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "ProvisionedThroughputExceededException", "RequestThrottled", "SlowDown",
    };

    /// <summary>The default against AWS.</summary>
    public static AwsRetryPolicy Default { get; } = new();

    /// <summary>Whether an error code or HTTP status is worth retrying.</summary>
    public static bool IsRetryable(string code, int status) =>
        Throttling.Contains(code) || code == "RequestTimeout" || code == "InternalFailure" || status is 500 or 502 or 503 or 504;

    /// <summary>Whether an error code says the call was refused for its rate, so it was certainly not carried out.</summary>
    public static bool IsThrottling(string code) => Throttling.Contains(code);

    /// <summary>
    /// Runs one call's attempts: each attempt builds and sends a new request (signed afresh); an
    /// <see cref="AwsException"/> that is worth retrying waits and tries again, up to the last attempt.
    /// A call that is not idempotent (it has no client token: Glue's StartJobRun) is retried only when
    /// throttled: after a 5xx, a timeout or a broken connection it may have been carried out already.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> attempt, Random random, CancellationToken cancellationToken, bool idempotent = true)
    {
        for (var n = 1; ; n++)
        {
            try
            {
                return await attempt(cancellationToken);
            }
            catch (AwsException ex) when ((idempotent ? ex.IsRetryable || ex.Code == "RequestFailed" : IsThrottling(ex.Code)) && n < MaxAttempts)
            {
                await Task.Delay(Delay(n, random), cancellationToken);
            }
        }
    }

    /// <summary>The wait before retry <paramref name="attempt"/> (1 for the first retry).</summary>
    public TimeSpan Delay(int attempt, Random random) =>
        TimeSpan.FromTicks((long)((Base ?? TimeSpan.FromSeconds(1)).Ticks * random.NextDouble() * Math.Min(Math.Pow(2, attempt), Cap)));
}
