using DuckDB.NET.Data;
using GluePipeline.Data;
using GluePipeline.Data.Jdbc;
using GluePipeline.Diagnostics;

namespace GluePipeline.Jobs;

/// <summary>Where and how a fixture is written: the source's S3 location, format and CSV settings.</summary>
/// <param name="Location">The S3 location the source reads.</param>
/// <param name="Format">The format to write.</param>
/// <param name="Csv">CSV settings for CSV input.</param>
public sealed record FixtureTarget(string Location, FileFormat Format, CsvOptions Csv)
{
    /// <summary>For a JDBC source: the table its rows replace (created when missing), instead of files.</summary>
    public JdbcWrite? Table { get; init; }

    /// <summary>The fixture target of a JDBC source: its table, in the database that serves its connection.</summary>
    public static FixtureTarget Database(string location, JdbcWrite table) => new(location, FileFormat.Parquet, new CsvOptions()) { Table = table };
}

/// <summary>What a fixture wrote.</summary>
/// <param name="Source">The source.</param>
/// <param name="Location">Its S3 location.</param>
/// <param name="Files">Files written.</param>
/// <param name="Rows">Rows written (for SQL fixtures; 0 for copied files).</param>
public sealed record FixtureWritten(string Source, string Location, int Files, long Rows);

/// <summary>
/// Writes a job's fixtures, the input its tests and the LiveTest stack run on: a DuckDB query whose
/// rows are written in the source's format (a <c>_file</c> column names the file each row goes to,
/// e.g. one file per day), or a folder of files copied as they are. A JDBC source's fixture query
/// fills its table in the database instead (overwritten, created when missing).
/// </summary>
public static class JobFixtures
{
    /// <summary>Writes every fixture of a job; <paramref name="target"/> says where each source reads.</summary>
    /// <param name="spec">The job.</param>
    /// <param name="buckets">Where S3 is.</param>
    /// <param name="arguments">The job's argument values (fixture queries may use them).</param>
    /// <param name="target">Where each source reads.</param>
    /// <param name="scale">Scales the fixtures that have a row count (<c>rows:</c>, read as <c>${rows}</c>).</param>
    /// <param name="cancellationToken">Cancels writing.</param>
    /// <param name="include">Which fixtures to write (default: all).</param>
    public static async Task<IReadOnlyList<FixtureWritten>> WriteAsync(JobSpec spec, LocalBuckets buckets, IReadOnlyDictionary<string, string> arguments, Func<JobSource, Task<FixtureTarget>> target, double scale, CancellationToken cancellationToken, Func<JobFixture, bool>? include = null)
    {
        var written = new List<FixtureWritten>();
        foreach (var fixture in spec.Fixtures.Where(include ?? (_ => true)))
        {
            var source = spec.Sources.Single(s => s.Name == fixture.Source);
            var to = await target(source);
            var values = new Dictionary<string, string>(arguments, StringComparer.Ordinal);
            if (fixture.RowsAt(scale) is { } rows)
            {
                values["rows"] = rows.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (to.Table is not null)
            {
                written.Add(await GenerateAsync(spec, fixture, source, to, string.Empty, values, cancellationToken));
                continue;
            }

            var folder = buckets.PathOf(to.Location);
            Directory.CreateDirectory(folder);
            if (fixture.FilesPath is { } files)
            {
                var from = spec.FullPath(files);
                var count = 0;
                foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
                {
                    var destination = Path.Combine(folder, Path.GetRelativePath(from, file));
                    Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                    File.Copy(file, destination, overwrite: true);
                    count++;
                }

                written.Add(new FixtureWritten(source.Name, to.Location, count, 0));
                continue;
            }

            written.Add(await GenerateAsync(spec, fixture, source, to, folder, values, cancellationToken));
        }

        return written;
    }

    private static async Task<FixtureWritten> GenerateAsync(JobSpec spec, JobFixture fixture, JobSource source, FixtureTarget to, string folder, IReadOnlyDictionary<string, string> arguments, CancellationToken cancellationToken)
    {
        var display = spec.Display(fixture.SqlPath!);
        var sql = JobArguments.Substitute(await File.ReadAllTextAsync(spec.FullPath(fixture.SqlPath!), cancellationToken), arguments).TrimEnd().TrimEnd(';');
        await using var engine = await DuckDbEngine.OpenAsync(null, cancellationToken);
        try
        {
            await engine.ExecuteAsync("CREATE TEMP TABLE dq_fixture AS\n" + sql, cancellationToken);
        }
        catch (QueryFailedException ex)
        {
            throw new PipelineInputException(JobRunner.SqlDiagnostic(display, [], ex.EngineMessage, lineOffset: 1, "JOB-FIXTURE"));
        }

        var columns = (await engine.QueryAsync("DESCRIBE dq_fixture", cancellationToken)).Rows.Select(r => (string)r[0]!).ToArray();
        var byFile = columns.Contains("_file", StringComparer.Ordinal);
        if (to.Table is { } table)
        {
            try
            {
                var result = await JdbcWriter.WriteAsync((DuckDBConnection)engine.Connection, byFile ? "SELECT * EXCLUDE (_file) FROM dq_fixture" : "SELECT * FROM dq_fixture", table, cancellationToken);
                return new FixtureWritten(source.Name, to.Location, 0, result.Rows);
            }
            catch (JdbcWriteException ex)
            {
                throw new PipelineInputException(Diagnostic.Error(new SourceLocation(display), "JOB-FIXTURE", $"The fixture's rows do not fit {to.Location}: {ex.Message}", ex.Fix));
            }
        }

        var extension = to.Format switch { FileFormat.Csv => ".csv", FileFormat.Json => ".json", _ => ".parquet" };
        var names = byFile
            ? (await engine.QueryAsync("SELECT DISTINCT _file FROM dq_fixture ORDER BY 1", cancellationToken)).Rows.Select(r => r[0] as string ?? throw new PipelineInputException(Diagnostic.Error(new SourceLocation(display), "JOB-FIXTURE", "A row has a NULL _file", "give every row the file it belongs to"))).ToArray()
            : [$"{source.Name}-0{extension}"];
        long rows = 0;
        foreach (var name in names)
        {
            if (Path.IsPathRooted(name) || name.Split('/', '\\').Contains(".."))
            {
                throw new PipelineInputException(Diagnostic.Error(new SourceLocation(display), "JOB-FIXTURE", $"_file '{name}' leaves the source's folder", "use a relative path such as 2016/01/trips.csv"));
            }

            var path = Path.Combine(folder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var select = byFile ? $"SELECT * EXCLUDE (_file) FROM dq_fixture WHERE _file = {SqlDialect.DuckDb.String(name)}" : "SELECT * FROM dq_fixture";
            var format = to.Format switch
            {
                FileFormat.Csv => $"FORMAT csv, HEADER {(to.Csv.Header ? "true" : "false")}, DELIMITER {SqlDialect.DuckDb.String(to.Csv.Delimiter)}, QUOTE {SqlDialect.DuckDb.String(to.Csv.Quote)}, ESCAPE {SqlDialect.DuckDb.String(to.Csv.Escape)}, NULLSTR {SqlDialect.DuckDb.String(to.Csv.Null)}",
                FileFormat.Json => "FORMAT json",
                _ => "FORMAT parquet",
            };
            rows += await engine.ExecuteAsync($"COPY ({select}) TO {SqlDialect.DuckDb.String(path)} ({format})", cancellationToken);
        }

        return new FixtureWritten(source.Name, to.Location, names.Length, rows);
    }
}
