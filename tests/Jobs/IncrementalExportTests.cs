using GluePipeline.Data;
using GluePipeline.Data.Jdbc;
using GluePipeline.Jobs;
using GluePipeline.Tests.Support;
using GluePipeline.Validation;
using GluePipeline.Validation.Reconciliation;

namespace GluePipeline.Tests.Jobs;

/// <summary>
/// The Redshift query-log export (jobs/redshift_query_log, the system tables post) run again after
/// new queries: the rerun exports exactly the new ones - none lost, none twice - and a version of
/// the job without its bookmark, which exports everything again, is caught by the job's rules and
/// by the reconciliation of the warehouse with the data lake.
/// </summary>
public sealed class IncrementalExportTests : ScratchDatabases
{
    /// <summary>The warehouse: the test's schema first on the search path, as STL_QUERY is unqualified.</summary>
    private DatabaseUri Warehouse => DatabaseServers.Postgres with { Options = new Dictionary<string, string> { ["Search Path"] = Schema } };

    private string Lake => Path.Combine(ScratchPath, "buckets", "glue-etl-datalake", "redshift_query_logs", "stl_query");

    private async Task<JobSpec> SpecAsync(bool withBookmark)
    {
        var folder = Path.Combine(ScratchPath, "jobs", "redshift_query_log");
        var from = Path.Combine(RepositoryRoot.Path, "jobs", "redshift_query_log");
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(folder, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to, overwrite: true);
        }

        if (!withBookmark)
        {
            var spec = Path.Combine(folder, JobSpecReader.FileName);
            File.WriteAllText(spec, File.ReadAllText(spec).Replace("bookmark:\n  source: queries\n  by: column\n  column: endtime\n", string.Empty, StringComparison.Ordinal));
        }

        return await JobSpecReader.LoadAsync(folder, "jobs/redshift_query_log", CancellationToken.None);
    }

    private async Task<JobRunResult> RunAsync(JobSpec spec) =>
        await new JobRunner(new JobRunOptions(new LocalBuckets(Path.Combine(ScratchPath, "buckets")), Path.Combine(ScratchPath, "state"))
        {
            Connections = new Dictionary<string, JdbcEndpoint>
            {
                ["redshift_warehouse"] = new("redshift_warehouse", JdbcEngine.Redshift, Warehouse) { LogicalDatabase = "dmartblog" },
            },
        }).RunAsync(spec, CancellationToken.None);

    /// <summary>Writes the fixture at a scale into the warehouse's stl_query (in the test's own schema).</summary>
    private async Task FillAsync(JobSpec spec, int rows)
    {
        var target = FixtureTarget.Database("jdbc:redshift_warehouse/stl_query", new JdbcWrite(Warehouse, new JdbcTable(null, "stl_query"), JdbcWriteMode.Overwrite));
        await JobFixtures.WriteAsync(spec, new LocalBuckets(Path.Combine(ScratchPath, "buckets")), JobArguments.Resolve(spec, new Dictionary<string, string>(), "test"), _ => Task.FromResult(target), rows / 5000.0, CancellationToken.None);
    }

    private async Task AddQueriesAsync(int from, int count) =>
        await Postgres.ExecuteAsync(
            $"""
            INSERT INTO {Schema}.stl_query
            SELECT i, 100, 900000 + i, 1000, 'dev', rpad('late', 30), rpad('select ' || i, 120), TIMESTAMP '2024-03-09 00:00:00' + i * INTERVAL '1 second', TIMESTAMP '2024-03-09 00:00:01' + i * INTERVAL '1 second', 0
            FROM generate_series({from}, {from + count - 1}) i
            """,
            CancellationToken.None);

    private async Task<ReconciliationResult> ReconcileAsync()
    {
        await using var lake = await DuckDbEngine.OpenAsync(null, CancellationToken.None);
        return await Reconciler.CompareAsync(
            Postgres, $"(SELECT query, TRIM(querytxt) AS querytxt, endtime FROM {Schema}.stl_query) source",
            lake, $"(SELECT query, querytxt, endtime FROM read_parquet('{Lake}/**/*.parquet', hive_partitioning = true)) lake",
            new ReconciliationOptions(TimestampPrecision: TimeSpan.FromTicks(10)),
            CancellationToken.None);
    }

    [SkippableFact]
    public async Task A_rerun_exports_exactly_the_queries_that_ended_since_the_last_run()
    {
        var spec = await SpecAsync(withBookmark: true);
        await FillAsync(spec, 1000);

        var first = await RunAsync(spec);
        await AddQueriesAsync(5001, 37);
        var second = await RunAsync(spec);
        var third = await RunAsync(spec);

        (first.RowsRead, first.RowsWritten).Should().Be((1000L, 1000L));
        (second.RowsRead, second.RowsWritten).Should().Be((37L, 37L), "only the queries that ended after the last exported end time");
        third.NothingToDo.Should().Contain("no new rows in queries since the last run (bookmark on endtime)");
        (await ReconcileAsync()).Matches.Should().BeTrue("none lost, none twice");
        var rules = await new DatasetValidator().ValidateAsync(spec.FullPath(spec.RulesPath!), Lake, new Dictionary<string, string>(), ScratchPath, CancellationToken.None);
        rules.AllPassed.Should().BeTrue(string.Join("; ", rules.Rules.Where(r => r.Outcome != RuleOutcome.Passed).Select(r => $"{r.Rule}: {r.FailureReason}")));
    }

    [SkippableFact]
    public async Task A_job_that_exports_everything_again_on_a_rerun_is_caught_by_its_rules_and_the_reconciliation()
    {
        var spec = await SpecAsync(withBookmark: false);
        await FillAsync(spec, 1000);

        await RunAsync(spec);
        await AddQueriesAsync(5001, 37);
        var second = await RunAsync(spec);

        second.RowsWritten.Should().Be(1037, "without its bookmark the job appends every query again");
        var rules = await new DatasetValidator().ValidateAsync(spec.FullPath(spec.RulesPath!), Lake, new Dictionary<string, string>(), ScratchPath, CancellationToken.None);
        rules.Rules.Single(r => r.Rule == "IsPrimaryKey \"query\"").Outcome.Should().Be(RuleOutcome.Failed, "each query must be exported once");
        var reconciliation = await ReconcileAsync();
        reconciliation.Matches.Should().BeFalse();
        reconciliation.Differences.Should().Contain("row count: source 1037, target 2037");
    }
}
