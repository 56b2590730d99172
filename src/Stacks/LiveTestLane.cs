using GluePipeline.Catalog;
using GluePipeline.Data;
using GluePipeline.Jobs;
using GluePipeline.Validation;

namespace GluePipeline.Stacks;

/// <summary>A declarative job of the stack as a live test runs it: its spec from the artifact and its argument values.</summary>
/// <param name="Job">The job in the run manifest.</param>
/// <param name="Spec">Its spec, with catalog names resolved.</param>
/// <param name="Values">Every argument's value (given or default).</param>
/// <param name="Given">The arguments the template gives (DefaultArguments without the dashes).</param>
public sealed record LiveTestJob(StackJob Job, JobSpec Spec, IReadOnlyDictionary<string, string> Values, IReadOnlyDictionary<string, string> Given);

/// <summary>
/// The lane's half of AutomatedLiveTest: where crawls and job runs happen and what answers queries.
/// The order, the fixtures, the rules, the outcomes and the reports are the same in every lane
/// (<see cref="LiveTestRun.RunAsync(RunManifest, string, LiveTestLane, LiveTestOptions, Action{string}, CancellationToken)"/>); a lane only says how to do each step where its stack is.
/// </summary>
public abstract class LiveTestLane(RunManifest manifest) : IAsyncDisposable
{
    /// <summary>
    /// The stack's buckets as folders: the local stack's own, or, for a stack elsewhere, the scratch
    /// mirror where its specs are read and its fixtures are written before they are published.
    /// </summary>
    public LocalBuckets Buckets { get; } = new(manifest.BucketsRoot ?? throw new InvalidOperationException($"The manifest of {manifest.Stack} has no buckets folder"));

    /// <summary>The stack's catalog as its template defines it (and, locally, as the crawlers fill it).</summary>
    public LocalGlueCatalog Catalog { get; } = LocalGlueCatalog.Open(manifest.Catalog ?? throw new InvalidOperationException($"The manifest of {manifest.Stack} has no catalog"));

    /// <summary>local or aws.</summary>
    public abstract string Name { get; }

    /// <summary>Whether independent crawlers and jobs run at the same time (each takes minutes in AWS).</summary>
    public virtual bool Parallel => false;

    /// <summary>Whether jobs reach their databases themselves (Glue, in the stack's VPC) rather than through a database this run serves.</summary>
    public virtual bool JobsReachDatabases => false;

    /// <summary>Whether the lane runs jobs that are not declarative (hand-written scripts).</summary>
    public virtual bool RunsScripts => false;

    /// <summary>Why the lane asks no queries in this run (a plan), or null: rules are then SKIPPED with this reason.</summary>
    public virtual string? NotQueried => null;

    /// <summary>Called with the fixtures written in the run's scratch buckets; returns what it did with them (e.g. uploaded), or null.</summary>
    public virtual Task<string?> PublishFixturesAsync(IReadOnlyList<FixtureWritten> written, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>Runs a crawler and says what it made.</summary>
    public abstract Task<(StageOutcome Outcome, string Detail)> CrawlAsync(StackCrawler crawler, CancellationToken cancellationToken);

    /// <summary>Runs a job (a declarative one with its spec, or, where <see cref="RunsScripts"/>, a script) and says what it did.</summary>
    public abstract Task<(StageOutcome Outcome, string Detail)> RunJobAsync(StackJob job, LiveTestJob? declared, CancellationToken cancellationToken);

    /// <summary>
    /// Evaluates a job's rules.dqdl on its output: <paramref name="output"/> is its S3 location (null for a
    /// database table), <paramref name="table"/> the catalog table that holds it, if any. Null with a
    /// reason when the lane cannot query that output.
    /// </summary>
    public abstract Task<(ValidationResult? Result, string? Skipped)> ValidateOutputAsync(LiveTestJob job, string rulesPath, string? output, CatalogRef? table, string baseDirectory, CancellationToken cancellationToken);

    /// <summary>The engine that queries the stack's catalog tables as Athena does (DataQualityRulesets, livetests/).</summary>
    public abstract Task<IQueryEngine> OpenCatalogEngineAsync(CancellationToken cancellationToken);

    /// <summary>Why a catalog table cannot be queried yet (null when it can, or when only the query will tell).</summary>
    public virtual string? MissingTable(string database, string table) => null;

    /// <inheritdoc/>
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}

/// <summary>The local lane: the local crawler, the DuckDB job runtime, DuckDB over the local catalog as Athena.</summary>
public sealed class LocalLiveTestLane : LiveTestLane
{
    private readonly RunManifest _manifest;
    private readonly LiveTestOptions _options;

    /// <summary>The lane of a deployed local stack.</summary>
    public LocalLiveTestLane(RunManifest manifest, LiveTestOptions options)
        : base(manifest)
    {
        _manifest = manifest;
        _options = options;
    }

    /// <inheritdoc/>
    public override string Name => "local";

    /// <inheritdoc/>
    public override async Task<(StageOutcome Outcome, string Detail)> CrawlAsync(StackCrawler crawler, CancellationToken cancellationToken)
    {
        var definition = new CrawlerDefinition(crawler.Name, crawler.Database, crawler.Targets, crawler.TablePrefix, crawler.UpdateInDatabase);
        var tables = crawler.Targets.Count == 0 ? [] : (await LocalCrawler.CrawlAsync(definition, Buckets, Catalog, cancellationToken)).ToList();
        var unservedTargets = new List<string>();
        foreach (var target in crawler.JdbcTargets)
        {
            if (!_options.Connections.TryGetValue(target.ConnectionName, out var endpoint))
            {
                unservedTargets.Add($"{target.ConnectionName}/{target.Path}");
                continue;
            }

            tables.AddRange(await LocalJdbcCrawler.CrawlAsync(definition, target, endpoint, Catalog, cancellationToken));
        }

        var detail = string.Join("; ", tables.Select(t => t.Files > 0 || t.Action.StartsWith("no data", StringComparison.Ordinal) ? $"{crawler.Database}.{t.Table}: {t.Action}, {t.Files} file(s), {t.Partitions} partition(s)" : $"{crawler.Database}.{t.Table}: {t.Action}"));
        if (unservedTargets.Count > 0)
        {
            var why = $"JDBC target(s) {string.Join(", ", unservedTargets)} not crawled: {string.Join("; ", crawler.JdbcTargets.Select(t => _options.UnservedConnections.GetValueOrDefault(t.ConnectionName)).OfType<string>().DefaultIfEmpty("no database serves the connection in this run").Distinct())}";
            return (_options.RequireDatabases ? StageOutcome.Failed : tables.Count == 0 ? StageOutcome.Skipped : StageOutcome.Passed, detail.Length == 0 ? why : $"{detail}; {why}");
        }

        return (StageOutcome.Passed, detail);
    }

    /// <inheritdoc/>
    public override async Task<(StageOutcome Outcome, string Detail)> RunJobAsync(StackJob job, LiveTestJob? declared, CancellationToken cancellationToken)
    {
        var spec = declared ?? throw new InvalidOperationException($"The local lane runs declarative jobs only, and {job.Name} is not one");
        var run = await new JobRunner(new JobRunOptions(Buckets, _manifest.Bookmarks!)
        {
            Arguments = spec.Given,
            ArgumentSource = $"{job.LogicalId} DefaultArguments",
            Catalog = Catalog,
            DuckDb = new DuckDbOptions(TempDirectory: Path.Combine(_manifest.StateDirectory!, "tmp")),
            Connections = _options.Connections,
            ConnectionSource = $"an AWS::Glue::Connection in {_manifest.Template}",
        }).RunAsync(spec.Spec, cancellationToken);
        var read = string.Join(", ", run.Sources.Select(s => $"{s.Source} {s.Rows:N0}"));
        return (StageOutcome.Passed, run.NothingToDo ?? (run.Table is { } table
            ? $"read {read}; wrote {run.RowsWritten:N0} rows to {run.Output} ({table.Write.Loader}{(table.Write.Replaced > 0 ? $", {table.Write.Replaced:N0} replaced" : string.Empty)})"
            : $"read {read}; wrote {run.RowsWritten:N0} rows in {run.FilesWritten.Count} file(s) to {run.Output}"));
    }

    /// <inheritdoc/>
    public override async Task<(ValidationResult? Result, string? Skipped)> ValidateOutputAsync(LiveTestJob job, string rulesPath, string? output, CatalogRef? table, string baseDirectory, CancellationToken cancellationToken)
    {
        string dataset;
        if (job.Spec.Sink.Jdbc is { } sinkTable)
        {
            var target = JobRunner.ResolveTable(_options.Connections, _manifest.Template, job.Spec, sinkTable, job.Spec.Sink.Location, job.Values);
            (output, dataset) = (target.Location, target.Endpoint.DatasetUri(target.Table!));
        }
        else
        {
            dataset = Buckets.PathOf(output!);
        }

        var result = await new DatasetValidator().ValidateAsync(rulesPath, dataset, new Dictionary<string, string>(), baseDirectory, cancellationToken);
        return (result with { Dataset = output! }, null);
    }

    /// <inheritdoc/>
    public override async Task<IQueryEngine> OpenCatalogEngineAsync(CancellationToken cancellationToken) => await LocalAthena.OpenAsync(Catalog, Buckets, cancellationToken);

    /// <inheritdoc/>
    public override string? MissingTable(string database, string table) =>
        Catalog.Table(database, table) is null ? $"its table {database}.{table} is not in the catalog (did its crawler run?)" : null;
}
