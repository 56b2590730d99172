using Cake.Core.Diagnostics;
using GluePipeline.Build.Hosting;
using GluePipeline.Data;
using GluePipeline.Data.Servers;
using GluePipeline.Jobs;
using GluePipeline.Stacks;
using GluePipeline.Validation.Benchmark;

namespace GluePipeline.Build.Tasks;

/// <summary>Measures the validation engine against one query per rule and against the hand-written limit.</summary>
[TaskName("Benchmark")]
[TaskDescription("Benchmarks: validation (20 rules on 10 M Parquet rows and 1 M PostgreSQL rows; ours vs one query per rule vs the hand-written limit) and the LiveTest stage (data work vs the raw DuckDB work it wraps). 1 M rows MariaDB -> PostgreSQL through the runtime vs OUTFILE + COPY FROM. [--suite=validation|livetest|jdbc] [--rows=n] [--iterations=n] [--scale=1]")]
public sealed class BenchmarkTask : AsyncFrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override async Task RunAsync(BuildContext context)
    {
        var suite = context.Arguments.GetArguments("suite") is { Count: > 0 } suites ? suites.Last() : "all";
        if (suite is not ("all" or "validation" or "livetest" or "jdbc"))
        {
            throw new HostUsageException($"--suite={suite}", "ARG-SUITE", "The suites are validation, livetest and jdbc", "write --suite=validation, --suite=livetest or --suite=jdbc, or leave it out for all");
        }

        if (suite is "all" or "jdbc")
        {
            await JdbcAsync(context);
            if (suite == "jdbc")
            {
                return;
            }
        }

        if (suite is "all" or "livetest")
        {
            var liveIterations = (int)Number(context, "iterations", 3);
            var benchmark = new LiveTestBenchmark(context.RepositoryRoot, Path.Combine(context.ArtifactsDirectory, "benchmark", "livetest"), liveIterations, RunJobTask.Scale(context), line => context.Log.Information("{0}", line));
            var figures = await benchmark.RunAsync(context.CancellationToken);
            await context.Output.WriteLineAsync(LiveTestBenchmark.Format(figures, liveIterations).AsMemory(), context.CancellationToken);
            if (suite == "livetest")
            {
                return;
            }
        }

        var rows = Number(context, "rows", 10_000_000);
        var iterations = (int)Number(context, "iterations", 5);
        var postgresUrl = Environment.GetEnvironmentVariable("PIPELINE_POSTGRES_URL");
        var postgres = string.IsNullOrWhiteSpace(postgresUrl) ? null : DatabaseUri.Parse(postgresUrl, "PIPELINE_POSTGRES_URL");
        if (postgres is null)
        {
            context.Log.Warning("PIPELINE_POSTGRES_URL is not set: PostgreSQL is left out (`. .ci/databases.sh` starts a local server)");
        }

        var options = new BenchmarkOptions(Path.Combine(context.ArtifactsDirectory, "benchmark"), rows, Math.Max(1, rows / 10), iterations, postgres);
        var cases = await new ValidationBenchmark(options, line => context.Log.Information("{0}", line)).RunAsync(context.CancellationToken);
        var report = ValidationBenchmark.Format(cases, iterations);
        await context.Output.WriteLineAsync(report.AsMemory(), context.CancellationToken);
    }

    /// <summary>1 M rows MariaDB -> PostgreSQL through the runtime vs OUTFILE + COPY FROM, on the run's database servers (per-run databases).</summary>
    private static async Task JdbcAsync(BuildContext context)
    {
        var rows = Number(context, "rows", 1_000_000);
        var iterations = (int)Number(context, "iterations", 3);
        await using var servers = await DatabaseServers.StartAsync(new DatabaseServerOptions(context.ServersDirectory) { Choice = LiveTestDatabases.Choice(context) }, line => context.Log.Information("{0}", line), context.CancellationToken);
        if (servers.MySql is not { } mysqlServer || servers.Postgres is not { } postgresServer)
        {
            context.Log.Warning("JDBC benchmark left out: {0}", servers.Missing(Data.Jdbc.JdbcEngine.MySql) ?? servers.Missing(Data.Jdbc.JdbcEngine.PostgreSql));
            return;
        }

        var suffix = "bench" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));
        var name = RunDatabase.Name("jdbc", suffix);
        var mysql = await RunDatabase.CreateAsync(mysqlServer, name, context.CancellationToken);
        try
        {
            var postgres = await RunDatabase.CreateAsync(postgresServer, name, context.CancellationToken);
            try
            {
                var benchmark = new JdbcBenchmark(mysql, postgres, Path.Combine(context.ArtifactsDirectory, "benchmark", "jdbc"), line => context.Log.Information("{0}", line));
                var figures = await benchmark.RunAsync(rows, iterations, context.CancellationToken);
                await context.Output.WriteLineAsync(JdbcBenchmark.Format(figures, iterations).AsMemory(), context.CancellationToken);
            }
            finally
            {
                await RunDatabase.DropAsync(postgresServer, name, CancellationToken.None);
            }
        }
        finally
        {
            await RunDatabase.DropAsync(mysqlServer, name, CancellationToken.None);
        }
    }

    private static long Number(BuildContext context, string name, long fallback) =>
        context.Arguments.GetArguments(name) is { Count: > 0 } values
            ? long.TryParse(values.Last(), out var n) && n > 0 ? n : throw new HostUsageException($"--{name}={values.Last()}", "ARG-" + name.ToUpperInvariant(), $"--{name} is not a positive whole number", $"write e.g. --{name}={fallback}")
            : fallback;
}
