using System.Diagnostics;
using System.Globalization;
using GluePipeline.Data;
using GluePipeline.Jobs;

namespace GluePipeline.Stacks;

/// <summary>The LiveTest stage's figures: medians in seconds.</summary>
/// <param name="Scale">The fixtures' scale.</param>
/// <param name="Rows">Raw taxi trips at that scale.</param>
/// <param name="Ours">The stage's data work: fixtures, crawls, jobs and rules on a local stack.</param>
/// <param name="Raw">The DuckDB work it wraps, written by hand: write the fixtures, CSV/JSON to partitioned Parquet, count both sides.</param>
/// <param name="LiveTests">The dotnet test of livetests/ against the stack (one run).</param>
public sealed record LiveTestFigures(double Scale, long Rows, double Ours, double Raw, double LiveTests)
{
    /// <summary>Ours over raw; the goal is at most 2.</summary>
    public double Ratio => Ours / Raw;
}

/// <summary>
/// Measures AutomatedLiveTest's data work at a scale (by default the seed's 1,070,262 trips)
/// against the raw DuckDB work it wraps, interleaved in one run, and reports the livetests/ run
/// beside it.
/// </summary>
public sealed class LiveTestBenchmark(string repositoryRoot, string workDirectory, int iterations, double scale, Action<string> log, bool liveTests = true)
{
    /// <summary>Runs the benchmark.</summary>
    public async Task<LiveTestFigures> RunAsync(CancellationToken cancellationToken)
    {
        var product = Path.Combine(workDirectory, "product");
        CopyProduct(product);
        var ours = new List<double>();
        var raw = new List<double>();
        var liveTestSeconds = 0.0;
        long rows = 0;
        for (var i = 0; i < iterations; i++)
        {
            var stack = $"livetest-benchmark-{i}";
            var deployment = await LocalStack.DeployAsync(new LocalDeployRequest(stack, Path.Combine(workDirectory, "stacks")) { ArtifactDirectory = product }, cancellationToken);
            try
            {
                var last = i == iterations - 1;
                var result = await LiveTestRun.RunAsync(deployment.Manifest, deployment.ManifestPath, new LiveTestOptions(repositoryRoot, Path.Combine(workDirectory, "reports", stack)) { Scale = scale, RunLiveTests = last && liveTests }, _ => { }, cancellationToken);
                if (!result.Passed)
                {
                    throw new InvalidOperationException($"The LiveTest benchmark's stage failed: {string.Join("; ", result.Stages.Where(s => s.Outcome == StageOutcome.Failed).Select(s => $"{s.Name}: {s.Detail}"))}");
                }

                ours.Add(result.DataWork.TotalSeconds);
                if (result.Stages.SingleOrDefault(s => s.Kind == "livetests") is { } run)
                {
                    liveTestSeconds = run.Duration.TotalSeconds;
                }
            }
            finally
            {
                LocalStack.Teardown(Path.Combine(workDirectory, "stacks"), stack);
            }

            var watch = Stopwatch.StartNew();
            rows = await RawAsync(product, Path.Combine(workDirectory, "raw"), cancellationToken);
            raw.Add(watch.Elapsed.TotalSeconds);
            log($"LiveTest run {i + 1}/{iterations}: ours {ours[^1]:0.00} s, raw DuckDB {raw[^1]:0.00} s");
        }

        return new LiveTestFigures(scale, rows, Diagnostics.Measure.Median(ours), Diagnostics.Measure.Median(raw), liveTestSeconds);
    }

    /// <summary>The figures as text.</summary>
    public static string Format(LiveTestFigures figures, int iterations) => string.Create(CultureInfo.InvariantCulture, $"""
        LiveTest stage at scale {figures.Scale} ({figures.Rows:N0} taxi trips, 360 seismic events x scale); median of {iterations} interleaved runs
          ours: fixtures, crawls, jobs, rules on a local stack   {figures.Ours,7:0.00} s
          raw DuckDB: fixtures, CSV/JSON -> Parquet, counts       {figures.Raw,7:0.00} s
          ratio ours/raw {figures.Ratio:0.00} (goal <= 2: {(figures.Ratio <= 2 ? "met" : "NOT met")})
          dotnet test livetests/ (beside it, one run)             {figures.LiveTests,7:0.00} s

        """);

    /// <summary>
    /// The raw work, by hand on one DuckDB: the same fixture queries written as files, each job's
    /// transform from the files straight into partitioned Parquet, and the counts of both sides.
    /// </summary>
    private async Task<long> RawAsync(string product, string folder, CancellationToken cancellationToken)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        await using var engine = await DuckDbEngine.OpenAsync(new DuckDbOptions(TempDirectory: Path.Combine(folder, "tmp")), cancellationToken);
        long taxiRows = 0;
        foreach (var job in new[] { "taxi", "quakes" })
        {
            var spec = await JobSpecReader.LoadAsync(Path.Combine(product, "jobs", job), $"jobs/{job}", cancellationToken);
            var values = spec.Arguments.Where(a => a.Default is not null).ToDictionary(a => a.Name, a => a.Default!, StringComparer.Ordinal);
            var fixture = spec.Fixtures.Single();
            values["rows"] = fixture.RowsAt(scale)!.Value.ToString(CultureInfo.InvariantCulture);
            var source = spec.Sources.Single();
            var input = Path.Combine(folder, job, "input");
            var output = Path.Combine(folder, job, "output");
            Directory.CreateDirectory(input);

            var generator = JobArguments.Substitute(await File.ReadAllTextAsync(spec.FullPath(fixture.SqlPath!), cancellationToken), values).TrimEnd().TrimEnd(';');
            await engine.ExecuteAsync($"CREATE OR REPLACE TABLE fixture AS {generator}", cancellationToken);
            var files = (await engine.QueryAsync("SELECT DISTINCT _file FROM fixture", cancellationToken)).Rows.Select(r => (string)r[0]!).ToArray();
            foreach (var file in files)
            {
                var path = Path.Combine(input, file);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await engine.ExecuteAsync($"COPY (SELECT * EXCLUDE (_file) FROM fixture WHERE _file = {SqlDialect.DuckDb.String(file)}) TO {SqlDialect.DuckDb.String(path)} (FORMAT {(source.Format == FileFormat.Csv ? "csv, HEADER true" : "json")})", cancellationToken);
            }

            var read = source.Format == FileFormat.Csv
                ? $"read_csv({SqlDialect.DuckDb.String(Path.Combine(input, "**", "*.csv"))}, header = true)"
                : $"(SELECT unnest(f) FROM (SELECT unnest({source.Json.Unnest}) AS f FROM read_json({SqlDialect.DuckDb.String(Path.Combine(input, "**", "*.json"))})))";
            await engine.ExecuteAsync($"CREATE OR REPLACE VIEW {source.Name} AS SELECT * FROM {read}", cancellationToken);
            var transform = JobArguments.Substitute(await File.ReadAllTextAsync(spec.FullPath(spec.TransformPath), cancellationToken), values).TrimEnd().TrimEnd(';');
            await engine.ExecuteAsync($"COPY ({transform}) TO {SqlDialect.DuckDb.String(output)} (FORMAT parquet, PARTITION_BY ({string.Join(", ", spec.Sink.PartitionKeys)}))", cancellationToken);
            var counts = await engine.QueryAsync($"SELECT (SELECT count(*) FROM {source.Name}) AS raw, (SELECT count(*) FROM read_parquet({SqlDialect.DuckDb.String(Path.Combine(output, "**", "*.parquet"))})) AS lake", cancellationToken);
            if (job == "taxi")
            {
                taxiRows = Convert.ToInt64(counts.Scalar("raw"), CultureInfo.InvariantCulture);
            }
        }

        return taxiRows;
    }

    private void CopyProduct(string product)
    {
        if (Directory.Exists(product))
        {
            Directory.Delete(product, recursive: true);
        }

        Repository.ProductFiles.CopyTree(repositoryRoot, product);
    }
}
