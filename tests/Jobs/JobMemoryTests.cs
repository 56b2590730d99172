using GluePipeline.Data;

namespace GluePipeline.Tests.Jobs;

/// <summary>Runs alone: it measures the process's managed allocations, which parallel tests would add to.</summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;

/// <summary>
/// A job over input several times larger than DuckDB's memory limit completes: the runtime streams
/// from the input files to the output files inside DuckDB, and no row passes through .NET.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class JobMemoryTests : IDisposable
{
    private const long Rows = 4_400_000;

    private readonly JobWorkspace _w = new("big");

    public void Dispose() => _w.Dispose();

    [Fact]
    public async Task Input_four_times_the_memory_limit_is_processed_streaming()
    {
        await _w.PutQueryAsync(
            "s3://raw-bucket/events/events.csv",
            $"SELECT i AS id, 'user-' || (i % 100000) AS user_name, 'https://example.com/page/' || (hash(i) % 5000) || '?ref=' || (hash(i * 7) % 97) AS url, " +
            $"round(CAST(hash(i * 3) % 100000 AS DOUBLE) / 100, 2) AS amount, 1 + i % 12 AS month FROM range({Rows}) r(i)");
        var input = new FileInfo(_w.Buckets.PathOf("s3://raw-bucket/events/events.csv")).Length;
        _w.Spec(
            """
            sources:
              events: {s3: s3://raw-bucket/events/, format: csv}
            sink: {s3: s3://lake-bucket/events/, format: parquet, partitionKeys: [month], mode: overwrite}
            """,
            "SELECT id, user_name, url, amount * 1.2 AS amount_with_tax, month FROM events WHERE amount >= 0");
        const long limit = 64L * 1024 * 1024;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        var result = await _w.RunAsync(duckDb: new DuckDbOptions(MemoryLimit: "64MB", Threads: 1, TempDirectory: Path.Combine(_w.Root, "spill")));

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        input.Should().BeGreaterThan(4 * limit, "the test is only meaningful if the input dwarfs the limit");
        result.Sources[0].Rows.Should().Be(Rows);
        result.RowsWritten.Should().Be(Rows);
        result.FilesWritten.Should().HaveCount(12);
        allocated.Should().BeLessThan(input / 4, "rows must not be materialised in .NET (managed allocations were {0:N0} bytes for {1:N0} bytes of input)", allocated, input);
    }
}
