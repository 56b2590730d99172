using System.Diagnostics;
using System.Globalization;
using GluePipeline.Catalog;
using GluePipeline.Data;
using GluePipeline.Data.Jdbc;
using GluePipeline.Diagnostics;
using GluePipeline.Jobs;
using GluePipeline.Validation;
using GluePipeline.Validation.Dqdl;

namespace GluePipeline.Stacks;

/// <summary>How a stage of a live test ended.</summary>
public enum StageOutcome
{
    /// <summary>It did what it had to.</summary>
    Passed,

    /// <summary>It failed; the run fails.</summary>
    Failed,

    /// <summary>It did not run here (with the reason); never counted as passed.</summary>
    Skipped,
}

/// <summary>One stage of AutomatedLiveTest: fixtures of a job, a crawler, a job, rules, livetests/.</summary>
/// <param name="Name">What ran, e.g. <c>crawler nycitytaxi_livetest_raw</c>.</param>
/// <param name="Kind">fixtures, crawler, job, rules or livetests.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Duration">How long it took.</param>
/// <param name="Detail">What it did (rows, tables, files) or why it failed or was skipped.</param>
public sealed record StageResult(string Name, string Kind, StageOutcome Outcome, TimeSpan Duration, string Detail);

/// <summary>What AutomatedLiveTest found.</summary>
/// <param name="Stack">The stack's name.</param>
/// <param name="Stages">Every stage in the order it ran.</param>
/// <param name="Rules">Every ruleset's results (jobs' rules.dqdl on their output, the template's DataQualityRulesets on their tables).</param>
public sealed record LiveTestResult(string Stack, IReadOnlyList<StageResult> Stages, IReadOnlyList<ValidationResult> Rules)
{
    /// <summary>Whether nothing failed (skipped stages do not fail a run; they are reported as skipped).</summary>
    public bool Passed => Stages.All(s => s.Outcome != StageOutcome.Failed);

    /// <summary>The time of the data work: fixtures, crawls, jobs and rules (not livetests/).</summary>
    public TimeSpan DataWork => Stages.Where(s => s.Kind is not "livetests").Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Duration);
}

/// <summary>Settings of a live test run.</summary>
/// <param name="RepositoryRoot">The repository (for <c>livetests/</c>).</param>
/// <param name="ReportDirectory">Where the JUnit XML and HTML reports go.</param>
public sealed record LiveTestOptions(string RepositoryRoot, string ReportDirectory)
{
    /// <summary>Scales the fixtures' row counts (1: the seed's 1,070,262 taxi trips).</summary>
    public double Scale { get; init; } = 1.0;

    /// <summary>Whether to run <c>dotnet test livetests</c> against the manifest.</summary>
    public bool RunLiveTests { get; init; } = true;

    /// <summary>The livetests project (default: <c>livetests/</c> of the repository).</summary>
    public string? LiveTestsProject { get; init; }

    /// <summary>Extra environment for livetests/ (e.g. the artifact and its digest).</summary>
    public IReadOnlyDictionary<string, string> LiveTestEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>The stack's Glue connections that a database serves in this run, by name (with credentials).</summary>
    public IReadOnlyDictionary<string, JdbcEndpoint> Connections { get; init; } = new Dictionary<string, JdbcEndpoint>(StringComparer.Ordinal);

    /// <summary>Why a connection has no database here (no provider), by connection name.</summary>
    public IReadOnlyDictionary<string, string> UnservedConnections { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The environment variable that hands livetests/ a connection's database URI: <c>PIPELINE_CONNECTION_MYSQL_SOURCE</c>.</summary>
    public static string ConnectionVariable(string connection) =>
        "PIPELINE_CONNECTION_" + new string(connection.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_').ToArray());

    /// <summary>Whether a job that cannot run for want of a database fails the run (CI=true) rather than being SKIPPED.</summary>
    public bool RequireDatabases { get; init; }
}

/// <summary>
/// AutomatedLiveTest on a deployed stack, the same in every lane: writes the jobs' fixtures where their
/// sources read, runs crawlers and jobs in dependency order (triggers, and otherwise the data flow: a
/// crawler of a job's input before the job, a crawler of its output after it), evaluates the rules,
/// runs <c>livetests/</c> against the run manifest, and writes JUnit XML and an HTML report. A job the
/// lane cannot run is SKIPPED with the reason, never passed; a failure skips what depends on it. The
/// lane (<see cref="LiveTestLane"/>) says where each crawl, run and query happens.
/// </summary>
public static class LiveTestRun
{
    /// <summary>Runs the live test of a deployed local stack (the local lane).</summary>
    public static async Task<LiveTestResult> RunAsync(RunManifest manifest, string manifestPath, LiveTestOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        await using var lane = new LocalLiveTestLane(manifest, options);
        return await RunAsync(manifest, manifestPath, lane, options, log, cancellationToken);
    }

    /// <summary>Runs the live test of a deployed stack in the given lane.</summary>
    public static async Task<LiveTestResult> RunAsync(RunManifest manifest, string manifestPath, LiveTestLane lane, LiveTestOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        var buckets = lane.Buckets;
        var catalog = lane.Catalog;
        var stages = new List<StageResult>();
        var rules = new List<ValidationResult>();

        // The declarative jobs, with their specs from the artifact and their argument values.
        var jobs = new Dictionary<string, LiveTestJob>(StringComparer.Ordinal);
        foreach (var job in manifest.Jobs.Where(j => j.Runnable))
        {
            var specFolder = Path.GetDirectoryName(buckets.PathOf(job.SpecLocation!))!;
            var spec = await JobSpecReader.LoadAsync(specFolder, Path.GetDirectoryName(job.Spec!)!.Replace('\\', '/'), cancellationToken);
            var given = job.Arguments.Where(a => a.Key.StartsWith("--", StringComparison.Ordinal) && a.Key is not "--job_spec" and not "--bookmark_state")
                .ToDictionary(a => a.Key[2..], a => a.Value, StringComparer.Ordinal);
            var values = JobArguments.Resolve(spec, given, $"{manifest.Template}: {job.LogicalId} DefaultArguments");
            jobs[job.Name] = new LiveTestJob(job, spec.WithCatalogNames(values), values, given);
        }

        // Jobs whose connections no database serves here cannot run: SKIPPED with the reason (FAILED under CI=true).
        // Where jobs reach their databases themselves (Glue in the stack's VPC), they run; only their database fixtures are not written.
        var unserved = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, job) in jobs.Where(_ => !lane.JobsReachDatabases))
        {
            var missing = JobConnections.Used(job.Spec, job.Values).Where(c => !options.Connections.ContainsKey(c)).ToArray();
            if (missing.Length > 0)
            {
                var why = missing.Select(m => options.UnservedConnections.GetValueOrDefault(m) ?? manifest.Connections.FirstOrDefault(c => c.Name == m)?.Note ?? (manifest.Connections.Any(c => c.Name == m) ? "no database serves it in this run" : $"the template defines no AWS::Glue::Connection named {m}")).Distinct().ToArray();
                unserved[name] = $"needs database connection{(missing.Length > 1 ? "s" : string.Empty)} {string.Join(", ", missing)}: {string.Join("; ", why)}";
            }
        }

        foreach (var name in unserved.Keys)
        {
            jobs.Remove(name);
        }

        // A JDBC crawler's table (path without wildcards) is named <prefix>database_schema_table; its "location" for the run order is its connection.
        var crawlerTables = manifest.Crawlers.SelectMany(c => c.Targets.Select(t => (Crawler: c, Database: c.Database, Table: LocalCrawler.TableName(c.TablePrefix + t.TrimEnd('/').Split('/')[^1]), Location: t))
            .Concat(c.JdbcTargets.Where(t => !t.Path.Contains('%', StringComparison.Ordinal)).Select(t => (Crawler: c, Database: c.Database, Table: LocalCrawler.TableName(c.TablePrefix + t.Path.Trim('/').Replace('/', '_')), Location: $"jdbc:{t.ConnectionName}/")))).ToArray();
        string CatalogLocation(CatalogRef table) =>
            (catalog.Table(table.Database, table.Table) is { } known ? known.ConnectionName is { } connection ? $"jdbc:{connection}/" : known.Location : null)
            ?? crawlerTables.FirstOrDefault(t => t.Database.Equals(table.Database, StringComparison.OrdinalIgnoreCase) && t.Table.Equals(table.Table, StringComparison.OrdinalIgnoreCase)).Location
            ?? throw new PipelineInputException(Diagnostic.Error(new SourceLocation(manifest.Template), "STACK-CATALOG", $"No table {table} in the stack: neither the template nor a crawler makes it", "add a crawler whose S3 target ends in the table's name, or an AWS::Glue::Table"));

        // The catalog table that holds an S3 location: the template's own, else the table a crawler makes of it.
        CatalogRef? TableAt(string location)
        {
            var folder = location.TrimEnd('/') + "/";
            if (catalog.Databases.Values.SelectMany(d => d.Tables.Values.Select(t => (d.Name, t))).FirstOrDefault(e => e.t.Location is { } l && l.TrimEnd('/') + "/" == folder) is { t: not null } defined)
            {
                return new CatalogRef(defined.Name, defined.t.Name);
            }

            var crawled = crawlerTables.FirstOrDefault(t => t.Location.TrimEnd('/') + "/" == folder);
            return crawled.Crawler is null ? null : new CatalogRef(crawled.Database, crawled.Table);
        }

        // 1. Fixtures, where each source reads (a lane whose jobs reach their own databases writes the S3 ones only).
        foreach (var (name, job) in jobs.Where(j => j.Value.Spec.Fixtures.Count > 0))
        {
            var spec = job.Spec;
            var values = job.Values;
            var inDatabases = lane.JobsReachDatabases ? spec.Fixtures.Where(f => spec.Sources.First(s => s.Name == f.Source).Jdbc is not null).Select(f => f.Source).ToArray() : [];
            stages.Add(await Stage($"fixtures of {name}", "fixtures", log, async () =>
            {
                var notWritten = inDatabases.Length == 0 ? string.Empty
                    : $"{string.Join(", ", inDatabases)} not written: the {lane.Name} lane's jobs read their databases where the stack reaches them, and this run does not write into those databases";
                if (inDatabases.Length == spec.Fixtures.Count)
                {
                    return (StageOutcome.Skipped, notWritten);
                }

                var written = await JobFixtures.WriteAsync(spec, buckets, values, source => Task.FromResult(source.Catalog is { } table
                    ? new FixtureTarget(CatalogLocation(table), catalog.Table(table.Database, table.Table)?.Format ?? spec.Fixtures.First(f => f.Source == source.Name).Format ?? FileFormat.Parquet, source.Csv)
                    : source.Jdbc is not null ? JobHarness.FixtureTable(spec, source, values, options.Connections)
                    : new FixtureTarget(JobArguments.Substitute(source.S3Path!, values), source.Format!.Value, source.Csv)), options.Scale, cancellationToken, f => !inDatabases.Contains(f.Source));
                var published = await lane.PublishFixturesAsync(written, cancellationToken);
                var detail = string.Join("; ", written.Select(w => w.Location.StartsWith("jdbc:", StringComparison.Ordinal) ? $"{w.Source}: {w.Rows:N0} rows into {w.Location}" : $"{w.Source}: {w.Rows:N0} rows in {w.Files} file(s) at {w.Location}"));
                return (StageOutcome.Passed, string.Join("; ", new[] { detail, published, notWritten }.Where(d => !string.IsNullOrEmpty(d))));
            }));
        }

        // 2. Crawlers and jobs in dependency order; where the lane allows, each starts as soon as what it needs is done.
        var order = RunOrder(manifest, jobs.ToDictionary(j => j.Key, j => Locations(j.Value.Spec, j.Value.Values, CatalogLocation)));
        var steps = new Dictionary<string, Task<StageResult>>(StringComparer.Ordinal);
        foreach (var (step, after) in order)
        {
            cancellationToken.ThrowIfCancellationRequested();
            steps[step] = RunStepAsync(step, after.Select(a => (a, steps[a])).ToArray());
            if (!lane.Parallel)
            {
                await steps[step];
            }
        }

        var outcomes = new Dictionary<string, StageOutcome>(StringComparer.Ordinal);
        foreach (var (step, _) in order)
        {
            var result = await steps[step];
            stages.Add(result);
            outcomes[step] = result.Outcome;
        }

        async Task<StageResult> RunStepAsync(string step, IReadOnlyList<(string Step, Task<StageResult> Result)> after)
        {
            var before = new List<(string Step, StageOutcome Outcome)>();
            foreach (var (previous, result) in after)
            {
                before.Add((previous, (await result).Outcome));
            }

            if (before.FirstOrDefault(b => b.Outcome == StageOutcome.Failed).Step is { } cause)
            {
                return new StageResult(StepName(step), step.Split(':')[0], StageOutcome.Skipped, TimeSpan.Zero, $"not run: {StepName(cause)} failed before it");
            }

            // A job's input that a SKIPPED step (a job or crawler without its database) would have made is not
            // there either (a crawler still crawls its other targets).
            if (step.StartsWith("job:", StringComparison.Ordinal) && before.FirstOrDefault(b => b.Outcome == StageOutcome.Skipped).Step is { } skippedCause)
            {
                return new StageResult(StepName(step), step.Split(':')[0], StageOutcome.Skipped, TimeSpan.Zero, $"not run: {StepName(skippedCause)} was SKIPPED before it");
            }

            if (step.StartsWith("crawler:", StringComparison.Ordinal))
            {
                var crawler = manifest.Crawlers.Single(c => c.Name == step[8..]);
                return await Stage($"crawler {crawler.Name}", "crawler", log, () => lane.CrawlAsync(crawler, cancellationToken));
            }

            var name = step[4..];
            if (jobs.TryGetValue(name, out var job))
            {
                return await Stage($"job {name}", "job", log, () => lane.RunJobAsync(job.Job, job, cancellationToken));
            }

            if (unserved.TryGetValue(name, out var why))
            {
                var result = new StageResult($"job {name}", "job", options.RequireDatabases ? StageOutcome.Failed : StageOutcome.Skipped, TimeSpan.Zero,
                    options.RequireDatabases ? $"{why} (CI=true: a JDBC job must run in CI; give the databases with PIPELINE_POSTGRES_URL/PIPELINE_MYSQL_URL, or install postgresql and mariadb-server)" : why);
                log($"{(options.RequireDatabases ? "FAILED" : "SKIPPED")} job {name}: {result.Detail}");
                return result;
            }

            var script = manifest.Jobs.Single(j => j.Name == name);
            if (lane.RunsScripts)
            {
                return await Stage($"job {name}", "job", log, () => lane.RunJobAsync(script, null, cancellationToken));
            }

            var skipped = new StageResult($"job {name}", "job", StageOutcome.Skipped, TimeSpan.Zero, script.Note ?? $"not run in the {lane.Name} lane");
            log($"SKIPPED job {name}: {skipped.Detail}");
            return skipped;
        }

        // 3. Rules: each job's rules.dqdl on its output, the template's rulesets on their tables.
        var notQueried = lane.NotQueried;
        if (notQueried is not null)
        {
            log($"SKIPPED every rule: {notQueried}");
        }

        foreach (var (name, job) in jobs.Where(j => j.Value.Spec.RulesPath is not null))
        {
            if (outcomes.GetValueOrDefault("job:" + name) is StageOutcome.Failed or StageOutcome.Skipped)
            {
                stages.Add(new StageResult($"rules of {name}", "rules", StageOutcome.Skipped, TimeSpan.Zero, $"not run: job {name} {(outcomes["job:" + name] == StageOutcome.Failed ? "failed" : "was SKIPPED")}"));
                continue;
            }

            if (notQueried is not null)
            {
                stages.Add(new StageResult($"rules of {name}", "rules", StageOutcome.Skipped, TimeSpan.Zero, notQueried));
                continue;
            }

            var spec = job.Spec;
            stages.Add(await Stage($"rules of {name}", "rules", log, async () =>
            {
                var output = spec.Sink.Jdbc is not null ? null : spec.Sink.Catalog is { } sinkTable ? CatalogLocation(sinkTable) : JobArguments.Substitute(spec.Sink.S3Path!, job.Values);
                var table = spec.Sink.Catalog ?? (output is null ? null : TableAt(output));
                var (result, skipped) = await lane.ValidateOutputAsync(job, spec.FullPath(spec.RulesPath!), output, table, options.RepositoryRoot, cancellationToken);
                if (result is null)
                {
                    return (StageOutcome.Skipped, skipped ?? $"the {lane.Name} lane cannot query the output of {name}");
                }

                result = result with { RulesFile = spec.Display(spec.RulesPath!) };
                lock (rules)
                {
                    rules.Add(result);
                }

                return (result.AllPassed ? StageOutcome.Passed : StageOutcome.Failed, Summary(result));
            }));
        }

        if (notQueried is not null)
        {
            stages.AddRange(manifest.Rulesets.Select(r => new StageResult($"ruleset {r.Name}", "rules", StageOutcome.Skipped, TimeSpan.Zero, notQueried)));
        }
        else if (manifest.Rulesets.Count > 0)
        {
            await using var athena = await lane.OpenCatalogEngineAsync(cancellationToken);
            foreach (var ruleset in manifest.Rulesets)
            {
                stages.Add(await Stage($"ruleset {ruleset.Name}", "rules", log, async () =>
                {
                    if (lane.MissingTable(ruleset.Database, ruleset.Table) is { } missing)
                    {
                        return (StageOutcome.Failed, missing);
                    }

                    var document = DqdlParser.Parse($"{manifest.Template}: {ruleset.LogicalId}", ruleset.Ruleset);
                    var relation = $"{athena.Dialect.Identifier(ruleset.Database)}.{athena.Dialect.Identifier(ruleset.Table)}";
                    var result = await new RulesetEvaluator(athena).EvaluateAsync(document, new ValidationDataset($"{ruleset.Database}.{ruleset.Table}", relation), null, cancellationToken);
                    rules.Add(result);
                    return (result.AllPassed ? StageOutcome.Passed : StageOutcome.Failed, Summary(result));
                }));
            }
        }

        // 4. livetests/ against the manifest.
        if (options.RunLiveTests)
        {
            stages.Add(await Stage("livetests/", "livetests", log, () => RunLiveTestsAsync(manifestPath, options, cancellationToken)));
        }

        var outcome = new LiveTestResult(manifest.Stack, stages, rules);
        LiveTestReport.Write(manifest, outcome, options.ReportDirectory);
        return outcome;
    }

    /// <summary>What a job reads and writes, as S3 locations (catalog tables by their location, database tables as <c>jdbc:connection/table</c>).</summary>
    private static (IReadOnlyList<string> Reads, IReadOnlyList<(string Database, string Table)> ReadsTables, string Writes) Locations(JobSpec spec, IReadOnlyDictionary<string, string> values, Func<CatalogRef, string> catalogLocation)
    {
        static string Table(JdbcRef jdbc, IReadOnlyDictionary<string, string> values) =>
            $"jdbc:{JobArguments.Substitute(jdbc.Connection, values)}/{(jdbc.Table is { } t ? JobArguments.Substitute(t, values) : "(query)")}";
        var reads = spec.Sources.Where(s => s.S3Path is not null).Select(s => JobArguments.Substitute(s.S3Path!, values)).ToArray();
        var databaseReads = spec.Sources.Where(s => s.Jdbc is not null).Select(s => Table(s.Jdbc!, values)).ToArray();
        var tables = spec.Sources.Where(s => s.Catalog is not null).Select(s => (s.Catalog!.Database, s.Catalog.Table)).ToArray();
        var writes = spec.Sink.Catalog is { } table ? catalogLocation(table) : spec.Sink.Jdbc is { } jdbc ? Table(jdbc, values) : JobArguments.Substitute(spec.Sink.S3Path!, values);
        return (reads.Concat(databaseReads).Concat(tables.Select(t => catalogLocation(new CatalogRef(t.Database, t.Table)))).ToArray(), tables, writes);
    }

    /// <summary>
    /// Crawlers and jobs as steps (<c>crawler:name</c>, <c>job:name</c>) in an order where every
    /// step comes after what it needs: trigger predicates, then the data flow (a crawler whose
    /// target a job reads runs before it; a crawler whose target a job writes runs after it; a job
    /// that reads another's output runs after it). Ties keep the template's order.
    /// </summary>
    internal static IReadOnlyList<(string Step, IReadOnlyList<string> After)> RunOrder(RunManifest manifest, IReadOnlyDictionary<string, (IReadOnlyList<string> Reads, IReadOnlyList<(string Database, string Table)> ReadsTables, string Writes)> flows)
    {
        var steps = manifest.Crawlers.Select(c => "crawler:" + c.Name).Concat(manifest.Jobs.Select(j => "job:" + j.Name)).ToList();
        var edges = steps.ToDictionary(s => s, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var trigger in manifest.Triggers)
        {
            foreach (var run in trigger.Run.Where(edges.ContainsKey))
            {
                edges[run].UnionWith(trigger.After.Where(edges.ContainsKey));
            }
        }

        static bool Related(string a, string b)
        {
            var (x, y) = (a.TrimEnd('/') + "/", b.TrimEnd('/') + "/");
            return x.StartsWith(y, StringComparison.Ordinal) || y.StartsWith(x, StringComparison.Ordinal);
        }

        foreach (var (job, flow) in flows)
        {
            foreach (var crawler in manifest.Crawlers)
            {
                // A JDBC target stands for its connection's database: jobs that write through it come first.
                var targets = crawler.Targets.Concat(crawler.JdbcTargets.Select(t => $"jdbc:{t.ConnectionName}/")).ToArray();
                var reads = targets.Any(t => flow.Reads.Any(r => Related(r, t)));
                var writes = targets.Any(t => Related(flow.Writes, t));
                if (reads && !writes)
                {
                    edges["job:" + job].Add("crawler:" + crawler.Name);
                }
                else if (writes)
                {
                    edges["crawler:" + crawler.Name].Add("job:" + job);
                }
            }

            foreach (var (other, otherFlow) in flows.Where(f => f.Key != job))
            {
                if (flow.Reads.Any(r => Related(r, otherFlow.Writes)))
                {
                    edges["job:" + job].Add("job:" + other);
                }
            }
        }

        var ordered = new List<(string, IReadOnlyList<string>)>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        while (done.Count < steps.Count)
        {
            var next = steps.FirstOrDefault(s => !done.Contains(s) && edges[s].All(done.Contains))
                ?? throw new PipelineInputException(Diagnostic.Error(new SourceLocation(manifest.Template), "STACK-ORDER", $"The crawlers and jobs depend on each other in a circle: {string.Join(", ", steps.Where(s => !done.Contains(s)))}", "give each crawler the targets of one side of a job (input or output), or order them with AWS::Glue::Trigger conditions"));
            done.Add(next);
            ordered.Add((next, edges[next].ToArray()));
        }

        return ordered;
    }

    private static async Task<(StageOutcome, string)> RunLiveTestsAsync(string manifestPath, LiveTestOptions options, CancellationToken cancellationToken)
    {
        var project = options.LiveTestsProject ?? Path.Combine(options.RepositoryRoot, "livetests");
        if (!Directory.Exists(project))
        {
            return (StageOutcome.Skipped, "the repository has no livetests/ project");
        }

        Directory.CreateDirectory(options.ReportDirectory);
        var junit = Path.Combine(options.ReportDirectory, "livetests.junit.xml");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = options.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "test", project, "--nologo", "--logger", $"junit;LogFilePath={junit}", "--logger", "console;verbosity=normal" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PIPELINE_RUN_MANIFEST"] = manifestPath;
        foreach (var (name, value) in options.LiveTestEnvironment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var text = await output + await error;
        var lines = text.Split('\n').Select(l => l.Trim()).ToArray();
        string? Count(string label) => lines.LastOrDefault(l => l.StartsWith(label, StringComparison.Ordinal))?[label.Length..].Trim();
        var summary = Count("Total tests:") is { } total
            ? $"{total} tests: {Count("Passed:") ?? "0"} passed, {Count("Failed:") ?? "0"} failed, {Count("Skipped:") ?? "0"} skipped"
            : null;
        await File.WriteAllTextAsync(Path.Combine(options.ReportDirectory, "livetests.log"), text, cancellationToken);
        return process.ExitCode == 0
            ? (StageOutcome.Passed, summary ?? "dotnet test passed")
            : (StageOutcome.Failed, $"{summary ?? $"dotnet test exited {process.ExitCode}"} (log: {Path.Combine(options.ReportDirectory, "livetests.log")}, JUnit: {junit})");
    }

    private static string StepName(string step) => step.Split(':', 2) is [var kind, var name] ? $"{kind} {name}" : step;

    private static string Summary(ValidationResult result) =>
        string.Create(CultureInfo.InvariantCulture, $"{result.Rules.Count(r => r.Outcome == RuleOutcome.Passed)} of {result.Rules.Count} rules passed on {result.Dataset}") +
        (result.AllPassed ? string.Empty : ": " + string.Join("; ", result.Rules.Where(r => r.Outcome != RuleOutcome.Passed).Select(r => $"{r.Outcome.ToString().ToUpperInvariant()} {r.Rule}")));

    private static async Task<StageResult> Stage(string name, string kind, Action<string> log, Func<Task<(StageOutcome Outcome, string Detail)>> work)
    {
        log($"{name} ...");
        var watch = Stopwatch.StartNew();
        try
        {
            var (outcome, detail) = await work();
            var result = new StageResult(name, kind, outcome, watch.Elapsed, detail);
            log($"{outcome.ToString().ToUpperInvariant()} {name} in {watch.Elapsed.TotalSeconds:0.00} s: {detail}");
            return result;
        }
        catch (Exception ex) when (ex is JobFailedException or QueryFailedException or PipelineInputException or Aws.GlueRunException or Aws.AthenaQueryException or Aws.AwsException)
        {
            log($"FAILED {name}: {ex.Message}");
            return new StageResult(name, kind, StageOutcome.Failed, watch.Elapsed, ex.Message);
        }
    }
}
