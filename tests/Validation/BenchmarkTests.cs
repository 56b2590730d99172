using GluePipeline.Data;
using GluePipeline.Tests.Support;
using GluePipeline.Validation.Benchmark;

namespace GluePipeline.Tests.Validation;

/// <summary>
/// The benchmark's machinery at a small scale (timings are not asserted: figures come from the
/// Benchmark target). Its warm-up checks that the 20 rules pass and that the hand-written queries
/// compute what the engine computed, so a drift in either fails here.
/// </summary>
public sealed class BenchmarkTests : IDisposable
{
    private readonly TempDirectory _dir = new("benchmark");

    public void Dispose() => _dir.Dispose();

    [SkippableFact]
    public async Task Runs_all_three_variants_on_DuckDB_and_PostgreSQL_and_reports_ratios()
    {
        var lines = new List<string>();
        var options = new BenchmarkOptions(_dir.Path, ParquetRows: 20_000, PostgresRows: 5_000, Iterations: 1, Postgres: DatabaseServers.Postgres);

        var cases = await new ValidationBenchmark(options, lines.Add).RunAsync(CancellationToken.None);

        cases.Select(c => (c.Engine, c.Rows)).Should().Equal(("DuckDB / Parquet", 20_000L), ("PostgreSQL", 5_000L));
        cases.Should().OnlyContain(c => c.Ours > 0 && c.PerRule > 0 && c.Limit > 0);
        File.Exists(Path.Combine(_dir.Path, "trips-20000.parquet")).Should().BeTrue();
        var report = ValidationBenchmark.Format(cases, 1);
        report.Should().Contain("DuckDB / Parquet").And.Contain("PostgreSQL").And.Contain("a/c <= 1.15");
        lines.Should().Contain(l => l.StartsWith("PostgreSQL: run 1/1", StringComparison.Ordinal));

        await using var postgres = await PostgresEngine.OpenAsync(DatabaseServers.Postgres, CancellationToken.None);
        var left = await postgres.QueryAsync("SELECT COUNT(*) AS n FROM information_schema.schemata WHERE schema_name LIKE 'glue_pipeline_benchmark_%'", CancellationToken.None);
        Convert.ToInt64(left.Scalar("n"), System.Globalization.CultureInfo.InvariantCulture).Should().Be(0, "the benchmark drops its schema");
    }

    [Fact]
    public void The_ruleset_has_twenty_rules_including_uniqueness_and_a_regex()
    {
        var rules = GluePipeline.Validation.Dqdl.DqdlParser.Parse("bench.dqdl", ValidationBenchmark.Rules).Rules;

        rules.Should().HaveCount(20);
        rules.Select(r => r.Text).Should().Contain(t => t.StartsWith("IsUnique", StringComparison.Ordinal)).And.Contain(t => t.Contains(" matches ", StringComparison.Ordinal));
    }
}
