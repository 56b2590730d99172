namespace GluePipeline.Tests.Support;

/// <summary>A clock that always says the same time, so freshness and now() tests need no sleeping.</summary>
public sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
