using System.Diagnostics;
using System.Globalization;
using GluePipeline.Data;
using GluePipeline.Data.Jdbc;
using GluePipeline.Diagnostics;

namespace GluePipeline.Jobs;

/// <summary>The JDBC benchmark's figures (seconds are medians).</summary>
/// <param name="Rows">Rows moved per run.</param>
/// <param name="Ours">A declarative job (jdbc source, jdbc sink) through the local runtime.</param>
/// <param name="Limit">MariaDB <c>SELECT ... INTO OUTFILE</c> plus PostgreSQL <c>COPY FROM</c> that file: the servers' own bulk paths, nothing in between.</param>
/// <param name="Loader">How our sink loaded the rows.</param>
/// <param name="Partitions">Our parallel reads.</param>
public sealed record JdbcFigures(long Rows, double Ours, double? Limit, string Loader, int Partitions)
{
    /// <summary>Our throughput as a share of the limit's (goal: at least 0.5).</summary>
    public double? Share => Limit is { } limit ? limit / Ours : null;

    /// <summary>Why the limit was not measured, when it was not.</summary>
    public string? LimitUnavailable { get; init; }
}

/// <summary>
/// 1 M rows from MariaDB to PostgreSQL through the runtime (a job with a jdbc source read in
/// parallel and a jdbc sink that creates its table), side by side in the same run with the limit:
/// MariaDB writes the rows to a file with <c>SELECT ... INTO OUTFILE</c> and PostgreSQL loads it
/// with <c>COPY FROM</c> (both servers local, the file in a folder both may use). The variants
/// alternate; medians are reported.
/// </summary>
/// <param name="mysql">A MariaDB/MySQL database to hold the source table (dropped after).</param>
/// <param name="postgres">A PostgreSQL database for the target tables (dropped after).</param>
/// <param name="workDirectory">Scratch space (the job folder, the runtime's state).</param>
/// <param name="log">Progress.</param>
public sealed class JdbcBenchmark(DatabaseUri mysql, DatabaseUri postgres, string workDirectory, Action<string> log)
{
    /// <summary>Runs it.</summary>
    public async Task<JdbcFigures> RunAsync(long rows, int iterations, CancellationToken cancellationToken)
    {
        await using var source = await AdoQueryEngine.ConnectAsync(mysql, cancellationToken);
        await using var target = await AdoQueryEngine.ConnectAsync(postgres, cancellationToken);
        log($"Filling bench_events with {rows:N0} rows in MariaDB ...");
        await source.ExecuteAsync("DROP TABLE IF EXISTS bench_events", cancellationToken);
        await source.ExecuteAsync("CREATE TABLE bench_events (event_id BIGINT PRIMARY KEY, event_type VARCHAR(16) NOT NULL, user_id INT, occurred_at DATETIME(6) NOT NULL, amount DECIMAL(12,2), country CHAR(2), notes VARCHAR(200))", cancellationToken);
        await source.ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $"""
            INSERT INTO bench_events
            SELECT seq, ELT(1 + seq % 4, 'click', 'view', 'purchase', 'signup'), IF(seq % 10 = 0, NULL, (seq * 7919) % 500000),
                   TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (seq * 1234567) MICROSECOND, IF(seq % 4 = 2, ((seq * 31) % 100000) / 100, NULL),
                   ELT(1 + seq % 5, 'DE', 'FR', 'US', 'JP', 'BR'), IF(seq % 7 = 0, CONCAT('note "', seq, '" ünïcödé'), NULL)
            FROM seq_1_to_{rows}
            """), cancellationToken);

        var job = WriteJob();
        var (folder, why) = await OutfileFolderAsync(source, cancellationToken);
        var ours = new List<double>();
        var limit = new List<double>();
        var loader = string.Empty;
        var partitions = 0;
        try
        {
            for (var i = 0; i < iterations; i++)
            {
                await target.ExecuteAsync("DROP TABLE IF EXISTS public.bench_ours", cancellationToken);
                var watch = Stopwatch.StartNew();
                var run = await RunJobAsync(job, cancellationToken);
                ours.Add(watch.Elapsed.TotalSeconds);
                if (run.RowsWritten != rows)
                {
                    throw new InvalidOperationException($"The job wrote {run.RowsWritten:N0} rows, not {rows:N0}");
                }

                (loader, partitions) = (run.Table!.Write.Loader, 4);
                if (folder is not null)
                {
                    limit.Add(await LimitAsync(source, target, folder, rows, cancellationToken));
                }

                log(string.Create(CultureInfo.InvariantCulture, $"JDBC run {i + 1}/{iterations}: ours {ours[^1]:0.00} s{(folder is null ? string.Empty : $", OUTFILE + COPY FROM {limit[^1]:0.00} s")}"));
            }
        }
        finally
        {
            await source.ExecuteAsync("DROP TABLE IF EXISTS bench_events", CancellationToken.None);
            await target.ExecuteAsync("DROP TABLE IF EXISTS public.bench_ours; DROP TABLE IF EXISTS public.bench_limit", CancellationToken.None);
        }

        return new JdbcFigures(rows, Measure.Median(ours), limit.Count > 0 ? Measure.Median(limit) : null, loader, partitions) { LimitUnavailable = why };
    }

    /// <summary>The figures as text.</summary>
    public static string Format(JdbcFigures figures, int iterations)
    {
        string Rate(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{figures.Rows / seconds,12:N0} rows/s");
        var limit = figures.Limit is { } seconds
            ? string.Create(CultureInfo.InvariantCulture, $"  limit: MariaDB SELECT INTO OUTFILE + PostgreSQL COPY FROM     {seconds,7:0.00} s {Rate(seconds)}\n  ours / limit throughput {figures.Share:0.00} (goal >= 0.50: {(figures.Share >= 0.5 ? "met" : "NOT met")})")
            : $"  limit: not measured here ({figures.LimitUnavailable})";
        return string.Create(CultureInfo.InvariantCulture, $"""
            JDBC: {figures.Rows:N0} rows MariaDB -> PostgreSQL; median of {iterations} interleaved runs
              ours: a job (jdbc source, {figures.Partitions} parallel reads; jdbc sink, {figures.Loader}) {figures.Ours,7:0.00} s {Rate(figures.Ours)}
            {limit}

            """);
    }

    private string WriteJob()
    {
        var job = Path.Combine(workDirectory, "jobs", "bench_jdbc");
        Directory.CreateDirectory(job);
        File.WriteAllText(Path.Combine(job, JobSpecReader.FileName), """
            description: The JDBC benchmark's job (MariaDB to PostgreSQL)
            sources:
              events:
                jdbc: {connection: bench-source, table: bench_events}
                hashfield: event_id
                hashpartitions: 4
            sink:
              jdbc: {connection: bench-target, table: public.bench_ours}
              mode: overwrite
            """);
        File.WriteAllText(Path.Combine(job, "transform.sql"), "SELECT * FROM events\n");
        return job;
    }

    private async Task<JobRunResult> RunJobAsync(string job, CancellationToken cancellationToken)
    {
        var spec = await JobSpecReader.LoadAsync(job, "jobs/bench_jdbc", cancellationToken);
        var options = new JobRunOptions(new LocalBuckets(Path.Combine(workDirectory, "buckets")), Path.Combine(workDirectory, "state"))
        {
            DuckDb = new DuckDbOptions(TempDirectory: Path.Combine(workDirectory, "duckdb-tmp")),
            Connections = new Dictionary<string, JdbcEndpoint>(StringComparer.Ordinal)
            {
                ["bench-source"] = new("bench-source", JdbcEngine.MySql, mysql),
                ["bench-target"] = new("bench-target", JdbcEngine.PostgreSql, postgres),
            },
        };
        return await new JobRunner(options).RunAsync(spec, cancellationToken);
    }

    /// <summary>Where MariaDB may write a file that PostgreSQL may read: its secure_file_priv folder (both servers on this machine).</summary>
    private static async Task<(string? Folder, string? Why)> OutfileFolderAsync(AdoQueryEngine source, CancellationToken cancellationToken)
    {
        var value = (await source.QueryAsync("SELECT @@secure_file_priv", cancellationToken)).Rows[0][0] as string;
        if (value is null)
        {
            return (null, "MariaDB's secure_file_priv is NULL: SELECT INTO OUTFILE is off");
        }

        var folder = value.Length == 0 ? Path.GetTempPath() : value;
        return Directory.Exists(folder) ? (folder, null) : (null, $"MariaDB's secure_file_priv folder {folder} is not on this machine (the servers must be local)");
    }

    private static async Task<double> LimitAsync(AdoQueryEngine source, AdoQueryEngine target, string folder, long rows, CancellationToken cancellationToken)
    {
        var file = Path.Combine(folder, $"bench-{Guid.NewGuid():N}.tsv");
        try
        {
            await target.ExecuteAsync("DROP TABLE IF EXISTS public.bench_limit", cancellationToken);
            var watch = Stopwatch.StartNew();
            await source.ExecuteAsync($"SELECT * FROM bench_events INTO OUTFILE {SqlDialect.MySql.String(file)}", cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                // PostgreSQL's server reads it as its own user.
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            await target.ExecuteAsync("CREATE TABLE public.bench_limit (event_id bigint, event_type varchar(16), user_id integer, occurred_at timestamp(6), amount numeric(12,2), country char(2), notes varchar(200))", cancellationToken);
            var copied = await target.ExecuteAsync($"COPY public.bench_limit FROM {SqlDialect.PostgreSql.String(file)} WITH (FORMAT text)", cancellationToken);
            var seconds = watch.Elapsed.TotalSeconds;
            if (copied != rows)
            {
                throw new InvalidOperationException($"COPY FROM loaded {copied:N0} rows, not {rows:N0}");
            }

            return seconds;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
