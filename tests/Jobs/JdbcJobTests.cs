using GluePipeline.Data.Jdbc;
using GluePipeline.Diagnostics;
using GluePipeline.Jobs;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Jobs;

/// <summary>
/// Declarative jobs that read and write databases through Glue connections, on real MariaDB and
/// PostgreSQL: the multi-VPC post's MySQL events to PostgreSQL, merge by key, a column bookmark
/// that reads only new rows, fixtures that fill the source table, and what a bad spec says.
/// </summary>
public sealed class JdbcJobTests : ScratchDatabases
{
    private readonly JobWorkspace _w = new("events_to_pg");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _w.JobFile("fixtures/events.sql", "SELECT 1 AS id");
    }

    public override async Task DisposeAsync()
    {
        _w.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>The connections as a LiveTest stack gives them: the template's glue_demo is the per-run database.</summary>
    private Dictionary<string, JdbcEndpoint> Connections => new(StringComparer.Ordinal)
    {
        ["mysql-source"] = new JdbcEndpoint("mysql-source", JdbcEngine.MySql, DatabaseServers.MySql.WithDatabase(Database)) { LogicalDatabase = "glue_demo" },
        ["pg-target"] = new JdbcEndpoint("pg-target", JdbcEngine.PostgreSql, DatabaseServers.Postgres),
    };

    private string Spec(string mode, string extraSink = "", string bookmark = "") => $$"""
        description: MySQL events to PostgreSQL (the multi-VPC post)
        sources:
          events:
            jdbc: {connection: mysql-source, table: glue_demo.events}
            hashfield: id
            hashpartitions: 4
        sink:
          jdbc: {connection: pg-target, table: {{Schema}}.events}
          mode: {{mode}}
        {{extraSink}}
        {{bookmark}}
        fixtures:
          events: {sql: fixtures/events.sql}
        """;

    private async Task<JobRunResult> RunAsync()
    {
        var spec = await _w.LoadAsync();
        return await new JobRunner(new JobRunOptions(_w.Buckets, _w.StateDirectory) { Connections = Connections }).RunAsync(spec, CancellationToken.None);
    }

    private async Task<string[]> TargetRows() =>
        (await Postgres.QueryAsync($"SELECT id, name, amount FROM {Schema}.events ORDER BY id", CancellationToken.None)).Rows.Select(r => string.Join("|", r.Select(v => v?.ToString() ?? "∅"))).ToArray();

    [SkippableFact]
    public async Task A_job_moves_MySQL_rows_into_a_PostgreSQL_table_it_creates_and_then_replaces()
    {
        await MySql.ExecuteAsync("CREATE TABLE events (id INT PRIMARY KEY, name VARCHAR(40), amount DECIMAL(10,2), extra VARCHAR(5)); INSERT INTO events SELECT seq, CONCAT('e', seq), seq * 1.25, NULL FROM seq_1_to_1000", CancellationToken.None);
        _w.Spec(Spec("overwrite"), "SELECT id, name, amount FROM events");

        var first = await RunAsync();

        first.RowsRead.Should().Be(1000);
        first.RowsWritten.Should().Be(1000);
        first.Output.Should().Be($"jdbc:pg-target/{Schema}.events");
        first.Sources.Single().Location.Should().Be("jdbc:mysql-source/glue_demo.events");
        first.Table!.Write.Created.Should().BeTrue();
        (await TargetRows()).Should().HaveCount(1000).And.Contain("1000|e1000|1250.00");

        await MySql.ExecuteAsync("DELETE FROM events WHERE id > 10", CancellationToken.None);
        var second = await RunAsync();
        second.Table!.Write.Should().Be(new JdbcWriteResult(10, Created: false, Replaced: 1000, "binary COPY"));
        (await TargetRows()).Should().HaveCount(10);
    }

    [SkippableFact]
    public async Task Merge_replaces_rows_by_key_and_a_column_bookmark_reads_only_new_rows()
    {
        await MySql.ExecuteAsync("CREATE TABLE events (id INT PRIMARY KEY, name VARCHAR(40), amount DECIMAL(10,2), updated_at DATETIME(6)); INSERT INTO events VALUES (1, 'a', 1.00, '2024-01-01'), (2, 'b', 2.00, '2024-01-02')", CancellationToken.None);
        _w.Spec(Spec("merge", "  mergeKeys: [id]", "bookmark: {source: events, by: column, column: updated_at}"), "SELECT id, name, amount FROM events");

        (await RunAsync()).RowsWritten.Should().Be(2);
        await MySql.ExecuteAsync("UPDATE events SET name = 'b2', amount = 20.00, updated_at = '2024-01-03' WHERE id = 2; INSERT INTO events VALUES (3, 'c', 3.00, '2024-01-03')", CancellationToken.None);

        var second = await RunAsync();

        second.RowsRead.Should().Be(2, "only rows changed after the bookmark travel");
        second.Table!.Write.Replaced.Should().Be(1);
        (await TargetRows()).Should().Equal("1|a|1.00", "2|b2|20.00", "3|c|3.00");

        var third = await RunAsync();
        third.NothingToDo.Should().Contain("no new rows in events");
        (await TargetRows()).Should().HaveCount(3);
    }

    [SkippableFact]
    public async Task A_merge_that_repeats_a_key_fails_and_changes_nothing()
    {
        await MySql.ExecuteAsync("CREATE TABLE events (id INT, name VARCHAR(40), amount DECIMAL(10,2)); INSERT INTO events VALUES (1, 'a', 1.00), (1, 'again', 2.00)", CancellationToken.None);
        await Postgres.ExecuteAsync($"CREATE TABLE {Schema}.events (id integer, name text, amount numeric(10,2)); INSERT INTO {Schema}.events VALUES (7, 'kept', 7.00)", CancellationToken.None);
        _w.Spec(Spec("merge", "  mergeKeys: [id]"), "SELECT id, name, amount FROM events");

        var run = RunAsync;

        (await run.Should().ThrowAsync<JobFailedException>()).Which.Message.Should().Contain("repeats").And.Contain("The table is as it was");
        (await TargetRows()).Should().Equal("7|kept|7.00");
    }

    [SkippableFact]
    public async Task RunJob_fills_the_source_table_from_the_fixture_and_validates_the_table_it_wrote()
    {
        _w.Spec(Spec("overwrite"), "SELECT id, name, amount FROM events WHERE amount > 0");
        _w.JobFile("fixtures/events.sql", "SELECT i::INTEGER AS id, 'e' || i AS name, CAST(i AS DECIMAL(10,2)) - 1 AS amount FROM range(1, ${rows} + 1) t(i)");
        _w.JobFile("rules.dqdl", "Rules = [ RowCount = 99, IsComplete \"name\", ColumnValues \"amount\" > 0 ]");
        File.WriteAllText(Path.Combine(_w.JobDirectory, "job.yaml"), Spec("overwrite").Replace("fixtures:", "rules: rules.dqdl\nfixtures:", StringComparison.Ordinal).Replace("fixtures/events.sql}", "fixtures/events.sql, rows: 100}", StringComparison.Ordinal));

        var result = await JobHarness.RunOnFixturesAsync(Path.GetDirectoryName(_w.JobDirectory)!, "jobs", _w.Job, Path.Combine(_w.Root, "work"), new Dictionary<string, string>(), 5, 1.0, CancellationToken.None, Connections);

        result.Fixtures.Single().Should().Be(new FixtureWritten("events", "jdbc:mysql-source/glue_demo.events", 0, 100));
        (await MySql.QueryAsync("SELECT COUNT(*) FROM events", CancellationToken.None)).Rows[0][0].Should().Be(100L, "the fixture filled the per-run database, not glue_demo");
        result.Run.RowsWritten.Should().Be(99);
        result.Sample!.Rows.Should().HaveCount(5);
        result.Rules!.AllPassed.Should().BeTrue(string.Join("; ", result.Rules.Rules.Select(r => $"{r.Rule} {r.Outcome} {r.FailureReason}")));
        result.Rules.Dataset.Should().Be($"jdbc:pg-target/{Schema}.events").And.NotContain("postgres:postgres@");
    }

    [SkippableFact]
    public async Task An_unknown_connection_names_the_known_ones_and_the_fix()
    {
        _w.Spec(Spec("overwrite").Replace("mysql-source", "mysql-sorce", StringComparison.Ordinal), "SELECT * FROM events");

        var run = RunAsync;

        var error = (await run.Should().ThrowAsync<PipelineInputException>()).Which.Diagnostics.Single();
        error.Message.Should().Contain("Glue connection 'mysql-sorce', which this run does not have (it has mysql-source, pg-target)");
        error.Fix.Should().Be("did you mean mysql-source?");
        error.Location!.Value.Line.Should().Be(3);
    }

    [SkippableFact]
    public async Task A_source_that_cannot_be_read_fails_the_job_without_the_password()
    {
        _w.Spec(Spec("overwrite"), "SELECT * FROM events");

        var run = RunAsync;

        var failure = (await run.Should().ThrowAsync<JobFailedException>()).Which;
        failure.Message.Should().Contain("Source 'events' (jdbc:mysql-source/glue_demo.events").And.Contain("doesn't exist");
        failure.Message.Should().NotContain($":{DatabaseServers.MySql.Password}@").And.Contain(":***@");
    }
}

/// <summary>Mistakes in JDBC sources and sinks, as Lint and the runtimes report them (no database needed).</summary>
public sealed class JdbcSpecTests
{
    [Theory]
    [InlineData("sources: {e: {jdbc: {connection: c, table: t}, format: csv}}\nsink: {s3: s3://b/o/, format: parquet, mode: overwrite}", "format does not apply to JDBC source 'e'", 1)]
    [InlineData("sources: {e: {s3: s3://b/i/, format: csv, hashfield: id}}\nsink: {s3: s3://b/o/, format: parquet, mode: overwrite}", "hashfield splits a database read, but source 'e' reads files", 1)]
    [InlineData("sources: {e: {jdbc: {connection: c, table: t}, hashpartitions: 4}}\nsink: {s3: s3://b/o/, format: parquet, mode: overwrite}", "hashpartitions of source 'e' needs the column to split on", 1)]
    [InlineData("sources: {e: {jdbc: {connection: c, table: t}, hashfield: id, hashexpression: id}}\nsink: {s3: s3://b/o/, format: parquet, mode: overwrite}", "both hashfield and hashexpression", 1)]
    [InlineData("sources: {e: {jdbc: {connection: c, table: t, query: SELECT 1}}}\nsink: {s3: s3://b/o/, format: parquet, mode: overwrite}", "has both table and query", 1)]
    [InlineData("sources: {e: {jdbc: {table: t}}}\nsink: {s3: s3://b/o/, format: parquet, mode: overwrite}", "names no connection", 1)]
    [InlineData("sources: {e: {s3: s3://b/i/, format: csv}}\nsink: {s3: s3://b/o/, format: parquet, mode: merge}", "merge needs a table to merge into", 2)]
    [InlineData("sources: {e: {s3: s3://b/i/, format: csv}}\nsink: {jdbc: {connection: c, table: t}, mode: merge}", "mode: merge needs mergeKeys", 2)]
    [InlineData("sources: {e: {s3: s3://b/i/, format: csv}}\nsink: {jdbc: {connection: c, table: t}, mode: append, mergeKeys: [id]}", "mergeKeys is only for mode: merge", 2)]
    [InlineData("sources: {e: {s3: s3://b/i/, format: csv}}\nsink: {jdbc: {connection: c, table: t}, format: parquet, mode: append}", "format does not apply to a JDBC sink", 2)]
    [InlineData("sources: {e: {jdbc: {connection: c, table: t}}}\nsink: {s3: s3://b/o/, format: parquet, mode: overwrite}\nbookmark: {source: e, by: files}", "there are no files to remember", 3)]
    [InlineData("sources: {e: {jdbc: {connection: c, query: SELECT 1}}}\nsink: {s3: s3://b/o/, format: parquet, mode: overwrite}\nfixtures: {e: {sql: f.sql}}", "its fixture must say which table it fills", 3)]
    [InlineData("sources: {e: {jdbc: {connection: c, table: 'a.b.c.d'}}}\nsink: {s3: s3://b/o/, format: parquet, mode: overwrite}", "'a.b.c.d' is not a table name", 1)]
    public void Spec_mistakes_in_JDBC_sources_and_sinks_are_findings_at_their_line(string yaml, string message, int line)
    {
        using var dir = new TempDirectory("jdbcspec");
        dir.Write("jobs/j/transform.sql", "SELECT * FROM e");
        dir.Write("jobs/j/f.sql", "SELECT 1 AS x");
        var parsed = GluePipeline.Documents.DocumentParser.Parse("jobs/j/job.yaml", System.Text.Encoding.UTF8.GetBytes(yaml), GluePipeline.Documents.DocumentDialect.Plain);

        var (spec, findings) = JobSpecReader.Read(parsed, Path.Combine(dir.Path, "jobs", "j"), "jobs/j");

        spec.Should().BeNull();
        findings.Should().ContainSingle(f => f.Message.Contains(message, StringComparison.Ordinal), string.Join("\n", findings))
            .Which.Location!.Value.Line.Should().Be(line);
    }
}
