using GluePipeline.Jobs;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Jobs;

/// <summary>The JDBC benchmark's machinery at a small scale (timings are not asserted: figures come from the Benchmark target).</summary>
public sealed class JdbcBenchmarkTests : ScratchDatabases
{
    [SkippableFact]
    public async Task Moves_the_rows_both_ways_side_by_side_and_reports_the_share_of_the_limit()
    {
        var lines = new List<string>();
        var benchmark = new JdbcBenchmark(DatabaseServers.MySql.WithDatabase(Database), DatabaseServers.Postgres, ScratchPath, lines.Add);

        var figures = await benchmark.RunAsync(5_000, 2, CancellationToken.None);

        figures.Rows.Should().Be(5_000);
        figures.Loader.Should().Be("binary COPY");
        figures.Ours.Should().BePositive();
        figures.Limit.Should().NotBeNull(figures.LimitUnavailable).And.BePositive();
        lines.Should().Contain(l => l.StartsWith("JDBC run 2/2: ours", StringComparison.Ordinal) && l.Contains("OUTFILE + COPY FROM", StringComparison.Ordinal));
        JdbcBenchmark.Format(figures, 2).Should().Contain("5,000 rows MariaDB -> PostgreSQL").And.Contain("ours / limit throughput").And.Contain("goal >= 0.50");
        (await MySql.QueryAsync("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()", CancellationToken.None)).Rows[0][0].Should().Be(0L, "the benchmark drops its tables");
    }
}
