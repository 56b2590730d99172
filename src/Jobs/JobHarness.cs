using GluePipeline.Catalog;
using GluePipeline.Data;
using GluePipeline.Data.Jdbc;
using GluePipeline.Diagnostics;
using GluePipeline.Validation;

namespace GluePipeline.Jobs;

/// <summary>What a run of a job on its fixtures gave.</summary>
/// <param name="Spec">The job.</param>
/// <param name="Fixtures">The input written.</param>
/// <param name="Run">The run.</param>
/// <param name="Sample">The first rows of the output.</param>
/// <param name="Rules">The job's rules on its output, or null when it has none.</param>
public sealed record HarnessResult(JobSpec Spec, IReadOnlyList<FixtureWritten> Fixtures, JobRunResult Run, QueryResult? Sample, ValidationResult? Rules);

/// <summary>
/// Runs one job on its fixtures in a scratch folder (the service behind RunJob): fresh buckets, the
/// fixtures written where the sources read, the job run with the DuckDB runtime, a sample of the
/// output read back, and the job's rules evaluated on the output.
/// </summary>
public static class JobHarness
{
    /// <summary>The bucket RunJob's catalog tables live in.</summary>
    public const string CatalogBucket = "runjob-catalog";

    /// <summary>Runs a job of a jobs folder on its fixtures.</summary>
    /// <param name="jobsDirectory">The jobs folder (e.g. the repository's <c>jobs/</c>).</param>
    /// <param name="displayDirectory">The jobs folder as shown in findings (<c>jobs</c>).</param>
    /// <param name="job">The job's name.</param>
    /// <param name="workDirectory">A scratch folder; emptied first.</param>
    /// <param name="arguments">Job arguments over the defaults.</param>
    /// <param name="sampleRows">Rows of output to read back.</param>
    /// <param name="scale">Scales fixtures that have a row count.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <param name="connections">Where the job's Glue connections lead (JDBC sources and sinks), by name.</param>
    public static async Task<HarnessResult> RunOnFixturesAsync(string jobsDirectory, string displayDirectory, string job, string workDirectory, IReadOnlyDictionary<string, string> arguments, int sampleRows, double scale, CancellationToken cancellationToken, IReadOnlyDictionary<string, JdbcEndpoint>? connections = null)
    {
        connections ??= new Dictionary<string, JdbcEndpoint>(StringComparer.Ordinal);
        var folder = Path.Combine(jobsDirectory, job);
        if (!Directory.Exists(folder))
        {
            var known = Directory.Exists(jobsDirectory) ? Directory.EnumerateDirectories(jobsDirectory).Where(d => File.Exists(Path.Combine(d, JobSpecReader.FileName))).Select(Path.GetFileName).OfType<string>().Order().ToArray() : [];
            throw new PipelineInputException(Diagnostic.Error(new SourceLocation($"--job={job}"), "JOB-NAME", $"There is no job '{job}' in {displayDirectory}/", known.Length == 0
                ? "create one with --target=NewJob --job=<name>"
                : Documents.DocumentParser.Closest(job, known) is { } closest ? $"did you mean {closest}?" : $"the jobs are {string.Join(", ", known)}"));
        }

        var spec = await JobSpecReader.LoadAsync(folder, $"{displayDirectory}/{job}", cancellationToken);
        var missing = spec.Sources.Where(s => spec.Fixtures.All(f => f.Source != s.Name)).ToArray();
        if (missing.Length > 0)
        {
            throw new PipelineInputException(missing.Select(s => Diagnostic.Error(s.Location, "JOB-FIXTURE", $"Source '{s.Name}' has no fixture, so RunJob has no input for it", $"add fixtures: {{{s.Name}: {{sql: fixtures/{s.Name}.sql}}}} to job.yaml")));
        }

        if (Directory.Exists(workDirectory))
        {
            Directory.Delete(workDirectory, recursive: true);
        }

        var buckets = new LocalBuckets(Path.Combine(workDirectory, "buckets"));
        var values = JobArguments.Resolve(spec, arguments, "--arg");
        spec = spec.WithCatalogNames(values);
        var catalog = new InMemoryGlueCatalog();
        foreach (var source in spec.Sources.Where(s => s.Catalog is not null))
        {
            var fixture = spec.Fixtures.Single(f => f.Source == source.Name);
            catalog.Add(new CatalogTable(source.Catalog!.Database, source.Catalog.Table, $"s3://{CatalogBucket}/{source.Catalog.Database}/{source.Catalog.Table}/", fixture.Format ?? FileFormat.Parquet) { Csv = source.Csv });
        }

        if (spec.Sink.Catalog is { } sinkTable)
        {
            catalog.Add(new CatalogTable(sinkTable.Database, sinkTable.Table, $"s3://{CatalogBucket}/{sinkTable.Database}/{sinkTable.Table}/", spec.Sink.Format ?? FileFormat.Parquet) { PartitionKeys = spec.Sink.PartitionKeys });
        }

        var fixtures = await JobFixtures.WriteAsync(spec, buckets, values, async source =>
        {
            if (source.Catalog is { } table)
            {
                var entry = (await catalog.GetTableAsync(table.Database, table.Table, cancellationToken))!;
                return new FixtureTarget(entry.Location, entry.Format, entry.Csv);
            }

            if (source.Jdbc is not null)
            {
                return FixtureTable(spec, source, values, connections);
            }

            return new FixtureTarget(JobArguments.Substitute(source.S3Path!, values), source.Format!.Value, source.Csv);
        }, scale, cancellationToken);

        var options = new JobRunOptions(buckets, Path.Combine(workDirectory, "state"))
        {
            Arguments = arguments,
            ArgumentSource = "--arg",
            Catalog = catalog,
            DuckDb = new DuckDbOptions(TempDirectory: Path.Combine(workDirectory, "duckdb-tmp")),
            Connections = connections,
        };
        var run = await new JobRunner(options).RunAsync(spec, cancellationToken);
        if (run.NothingToDo is not null || (run.FilesWritten.Count == 0 && run.Table is null))
        {
            return new HarnessResult(spec, fixtures, run, null, null);
        }

        QueryResult sample;
        if (run.Table is { } table)
        {
            await using var database = await AdoQueryEngine.ConnectAsync(table.Endpoint.Database, cancellationToken);
            sample = await database.QueryAsync($"SELECT * FROM {table.Table.Render(database.Dialect)} LIMIT {sampleRows}", cancellationToken);
        }
        else
        {
            var output = FileDataset.Resolve(run.OutputPath, workDirectory, run.Format);
            await using var engine = await DuckDbEngine.OpenAsync(null, cancellationToken);
            sample = await engine.QueryAsync($"SELECT * FROM {output.ToDuckDbRelation()} LIMIT {sampleRows}", cancellationToken);
        }

        ValidationResult? rules = null;
        if (spec.RulesPath is { } rulesPath)
        {
            var validator = new DatasetValidator();
            rules = await validator.ValidateAsync(spec.FullPath(rulesPath), run.Table?.DatasetUri ?? run.OutputPath, new Dictionary<string, string>(), workDirectory, cancellationToken);
            rules = rules with { RulesFile = spec.Display(rulesPath), Dataset = run.Output };
        }

        return new HarnessResult(spec, fixtures, run, sample, rules);
    }

    /// <summary>Where the fixture of a JDBC source goes: the table it reads (a query source's fixture names its table).</summary>
    internal static FixtureTarget FixtureTable(JobSpec spec, JobSource source, IReadOnlyDictionary<string, string> values, IReadOnlyDictionary<string, JdbcEndpoint> connections)
    {
        var fixture = spec.Fixtures.Single(f => f.Source == source.Name);
        var text = fixture.Table ?? source.Jdbc!.Table
            ?? throw new PipelineInputException(Diagnostic.Error(fixture.Location, "JOB-FIXTURE", $"Source '{source.Name}' reads a query, so its fixture must say which table it fills", "add table: schema.table to the fixture"));
        var target = JobRunner.ResolveTable(connections, "--connection name=postgres://user:password@host:5432/database (or mysql://...)", spec, source.Jdbc! with { Table = text, Query = null }, source.Location, values);
        return FixtureTarget.Database(target.Location, new JdbcWrite(target.Endpoint.Database, target.Table!, JdbcWriteMode.Overwrite));
    }
}
