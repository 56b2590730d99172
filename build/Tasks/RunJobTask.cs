using System.Globalization;
using Cake.Core.Diagnostics;
using GluePipeline.Build.Hosting;
using GluePipeline.Data;
using GluePipeline.Data.Jdbc;
using GluePipeline.Data.Servers;
using GluePipeline.Linting;
using GluePipeline.Diagnostics;
using GluePipeline.Jobs;
using GluePipeline.Validation;

namespace GluePipeline.Build.Tasks;

/// <summary>Runs one declarative job on its fixtures with the DuckDB runtime.</summary>
[TaskName("RunJob")]
[TaskDescription("Run one job on its fixtures (DuckDB runtime): --job=<name> [--arg=name=value]... [--connection=name=uri]... [--scale=1]; prints rows in and out, a sample of the output, and its rules.dqdl on the output.")]
public sealed class RunJobTask : AsyncFrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override async Task RunAsync(BuildContext context)
    {
        var job = JobArgument(context);
        var arguments = JobArguments.ParsePairs(context.Arguments.GetArguments("arg"), "--arg");
        var connections = context.Arguments.GetArguments("connection").Select(c => JdbcEndpoint.ParseOption(c)).ToDictionary(c => c.Name, StringComparer.Ordinal);
        var work = Path.Combine(context.ArtifactsDirectory, "runjob", job);

        // Connections not given with --connection get a fresh database each, from the template's AWS::Glue::Connection.
        var folder = Path.Combine(context.RepositoryRoot, "jobs", job);
        var spec = File.Exists(Path.Combine(folder, JobSpecReader.FileName)) ? await JobSpecReader.LoadAsync(folder, $"jobs/{job}", context.CancellationToken) : null;
        var needed = spec is null ? [] : JobConnections.Used(spec, JobArguments.Resolve(spec, arguments, "--arg")).Where(c => !connections.ContainsKey(c)).ToArray();
        DatabaseServers? servers = null;
        JobConnections? served = null;
        HarnessResult result;
        try
        {
            if (needed.Length > 0)
            {
                var template = JobConnections.FromTemplate(Path.Combine(context.RepositoryRoot, RepositoryLinter.MainTemplate), RepositoryLinter.MainTemplate);
                servers = await DatabaseServers.StartAsync(new DatabaseServerOptions(context.ServersDirectory) { Choice = LiveTestDatabases.Choice(context) }, line => context.Log.Information("{0}", line), context.CancellationToken);
                served = await JobConnections.ServeAsync(needed, template, RepositoryLinter.MainTemplate, servers, context.CancellationToken);
                foreach (var (name, endpoint) in served.Endpoints)
                {
                    connections[name] = endpoint;
                    context.Log.Information("Connection {0} ({1}) is served by {2} [{3}]", name, endpoint.Engine, endpoint.Database, servers.Provider);
                }
            }

            result = await JobHarness.RunOnFixturesAsync(Path.Combine(context.RepositoryRoot, "jobs"), "jobs", job, work, arguments, 10, Scale(context), context.CancellationToken, connections);
        }
        catch (JobFailedException ex)
        {
            throw new TargetFailedException($"Job {job} failed: {ex.Message}");
        }
        finally
        {
            if (served is not null)
            {
                await served.DisposeAsync();
            }

            if (servers is not null)
            {
                await servers.DisposeAsync();
            }
        }

        var run = result.Run;
        context.Log.Information("Job {0}: {1}", job, result.Spec.Description ?? string.Empty);
        foreach (var fixture in result.Fixtures)
        {
            context.Log.Information("  fixture  {0,-12} {1,8:N0} rows {2}", fixture.Source, fixture.Rows, fixture.Location.StartsWith("jdbc:", StringComparison.Ordinal) ? $"into {fixture.Location}" : $"in {fixture.Files} file(s) at {fixture.Location}");
        }

        foreach (var source in run.Sources)
        {
            context.Log.Information("  read     {0,-12} {1,8:N0} rows from {2}{3}", source.Source, source.Rows, source.Location.StartsWith("jdbc:", StringComparison.Ordinal) ? source.Location : $"{source.Files} file(s)", source.SkippedFiles > 0 ? $" ({source.SkippedFiles} skipped by the bookmark)" : string.Empty);
        }

        if (run.NothingToDo is { } reason)
        {
            context.Log.Information("  nothing written: {0}", reason);
            return;
        }

        if (run.Table is { } table)
        {
            context.Log.Information("  wrote    {0,-12} {1,8:N0} rows to {2} ({3}{4}, {5}) in {6:0.00} s", string.Empty, run.RowsWritten, run.Output, table.Write.Created ? "created, " : string.Empty, table.Write.Replaced > 0 ? $"{table.Write.Replaced:N0} replaced" : "none replaced", table.Write.Loader, run.Duration.TotalSeconds);
            context.Log.Information("  output   {0} table {1}", table.Endpoint.Database, table.Table);
        }
        else
        {
            context.Log.Information("  wrote    {0,-12} {1,8:N0} rows in {2} file(s) to {3} in {4:0.00} s", string.Empty, run.RowsWritten, run.FilesWritten.Count, run.Output, run.Duration.TotalSeconds);
            context.Log.Information("  output   {0}", Path.GetRelativePath(context.RepositoryRoot, run.OutputPath));
        }
        if (result.Sample is { } sample)
        {
            context.Log.Information("First {0} row(s) of the output:{1}{2}", sample.Rows.Count, Environment.NewLine, Table(sample));
        }

        if (result.Rules is { } rules)
        {
            context.Log.Write(Verbosity.Quiet, rules.AllPassed ? LogLevel.Information : LogLevel.Warning, "{0}", ValidationReport.ToText(rules).TrimEnd());
            if (!rules.AllPassed)
            {
                throw new TargetFailedException($"Job {job} ran, but {rules.Rules.Count(r => r.Outcome != RuleOutcome.Passed)} of its {rules.Rules.Count} rules did not pass on the output");
            }
        }
    }

    /// <summary>--scale: multiplies the row counts of fixtures (default 1, the full scale).</summary>
    internal static double Scale(BuildContext context) =>
        context.Arguments.GetArguments("scale") is { Count: > 0 } values
            ? double.TryParse(values.Last(), NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) && scale > 0 && double.IsFinite(scale)
                ? scale
                : throw new HostUsageException($"--scale={values.Last()}", "ARG-SCALE", "--scale is a positive number", "write e.g. --scale=0.01 for a hundredth of the fixtures' rows")
            : 1.0;

    internal static string JobArgument(BuildContext context) =>
        context.Arguments.GetArguments("job") is { Count: > 0 } values
            ? values.Last()
            : throw new PipelineInputException(Diagnostic.Error(new SourceLocation("--job"), "ARG-JOB", "This target needs --job", "write --job=<name of a folder under jobs/>"));

    /// <summary>Rows as an aligned text table (values cut at 24 characters).</summary>
    private static string Table(QueryResult result)
    {
        static string Cell(object? value)
        {
            var text = value switch
            {
                null => "NULL",
                DateTime d => d.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? string.Empty,
            };
            return text.Length > 24 ? text[..23] + "~" : text;
        }

        var rows = result.Rows.Select(r => r.Select(Cell).ToArray()).ToArray();
        var widths = result.Columns.Select((c, i) => Math.Max(c.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var lines = new List<string> { "  " + string.Join("  ", result.Columns.Select((c, i) => c.PadRight(widths[i]))) };
        lines.AddRange(rows.Select(r => "  " + string.Join("  ", r.Select((v, i) => v.PadRight(widths[i])))));
        return string.Join(Environment.NewLine, lines);
    }
}
