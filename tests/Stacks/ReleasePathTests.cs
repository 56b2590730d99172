using System.Diagnostics;
using GluePipeline.Build;
using GluePipeline.Build.Hosting;
using GluePipeline.Stacks;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Stacks;

/// <summary>Tests that run livetests/ in a nested dotnet test: one at a time, so they never build it concurrently.</summary>
[CollectionDefinition(nameof(NestedLiveTests))]
public sealed class NestedLiveTests;

/// <summary>A throw-away repository with our product, to run the release path in.</summary>
public sealed class ReleaseRepository : IDisposable
{
    private readonly GitFixture _repo = new("release-repo");

    public ReleaseRepository()
    {
        _repo.Write("cake.config", "[Package]\nName=etl\n[Lint]\nStrict=true\n");
        _repo.Write(".gitignore", "artifacts/\n.pipeline/\n");
        GluePipeline.Repository.ProductFiles.CopyTree(RepositoryRoot.Path, _repo.Path);
        _repo.Commit("product");
    }

    public string Path => _repo.Path;

    public string StateRoot => System.IO.Path.Combine(_repo.Path, ".pipeline", "stacks");

    public string[] Stacks => Directory.Exists(StateRoot) ? Directory.EnumerateDirectories(StateRoot).Select(System.IO.Path.GetFileName).OfType<string>().ToArray() : [];

    public LocalProduction Production => new(System.IO.Path.Combine(_repo.Path, ".pipeline", "prod"));

    public void Change(string relative, string from, string to)
    {
        var file = System.IO.Path.Combine(_repo.Path, relative);
        var text = File.ReadAllText(file);
        text.Should().Contain(from);
        File.WriteAllText(file, text.Replace(from, to, StringComparison.Ordinal));
        _repo.Commit("change " + relative);
    }

    public Task<HostRunResult> RunAsync(params string[] args)
    {
        // livetests/ is this repository's; it reads the stack from the run manifest, whichever repository deployed it.
        Environment.SetEnvironmentVariable("PIPELINE_LIVETESTS_PROJECT", System.IO.Path.Combine(RepositoryRoot.Path, "livetests"));
        return HostRun.RunAsync(PipelineHost.Create(), _repo.Path, args);
    }

    /// <summary>Starts the build host as its own process group (as a terminal would), for signals.</summary>
    public Process StartHost(params string[] args) => StartHost(new Dictionary<string, string>(), args);

    /// <summary>Starts the build host as its own process group, with extra environment.</summary>
    public Process StartHost(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var configuration = new DirectoryInfo(System.IO.Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var host = System.IO.Path.Combine(RepositoryRoot.Path, "build", "bin", configuration, "net10.0", "GluePipeline.Build.dll");
        var start = new ProcessStartInfo("setsid") { WorkingDirectory = _repo.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "dotnet", host }.Concat(args))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    public void Dispose() => _repo.Dispose();
}

/// <summary>The release path as a user runs it: approval, promotion, teardown, and the seed's promise under mutation.</summary>
[Collection(nameof(NestedLiveTests))]
public sealed class ReleasePathTests : IDisposable
{
    private readonly ReleaseRepository _repo = new();

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task Not_approved_succeeds_with_NOT_PROMOTED_and_approved_promotes_and_neither_leaves_a_stack()
    {
        var notApproved = await _repo.RunAsync("--target=PromoteToProduction", "--scale=0.001", "--no-livetests");
        var approved = await _repo.RunAsync("--target=PromoteToProduction", "--scale=0.001", "--no-livetests", "--approve");

        notApproved.ExitCode.Should().Be(0, notApproved.ToString());
        notApproved.Output.Should().Contain("Release: NOT PROMOTED (not approved").And.Contain("Skipped: PromoteToProduction: NOT PROMOTED");
        approved.ExitCode.Should().Be(0, approved.ToString());
        approved.Output.Should().Contain("Verdict: APPROVED (--approve").And.Contain("Release: PROMOTED");
        _repo.Production.History().Should().ContainSingle();
        _repo.Stacks.Should().BeEmpty();
        File.ReadAllLines(Path.Combine(_repo.Path, ".pipeline", "approvals", "approvals.jsonl")).Should().HaveCount(2).And.Contain(l => l.Contains("\"Verdict\":\"NotApproved\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reject_fails_the_run_and_promotes_nothing()
    {
        var result = await _repo.RunAsync("--target=PromoteToProduction", "--scale=0.001", "--no-livetests", "--reject");

        result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
        result.Error.Should().Contain("was rejected by");
        result.Output.Should().Contain("Release: NOT PROMOTED (rejected by");
        _repo.Production.History().Should().BeEmpty();
        _repo.Stacks.Should().BeEmpty();
    }

    [Fact]
    public async Task Rollback_target_puts_the_earlier_release_back()
    {
        var first = await _repo.RunAsync("--target=PromoteToProduction", "--scale=0.001", "--no-livetests", "--approve", "--version=1.0.0");
        first.ExitCode.Should().Be(0, first.ToString());
        _repo.Change("jobs/quakes/rules.dqdl", "RowCount > 0", "RowCount >= 1");
        var second = await _repo.RunAsync("--target=PromoteToProduction", "--scale=0.001", "--no-livetests", "--approve", "--version=1.1.0");
        second.ExitCode.Should().Be(0, second.ToString());

        var rollback = await _repo.RunAsync("--target=Rollback", "--to=1.0.0");

        rollback.ExitCode.Should().Be(0, rollback.ToString());
        rollback.Output.Should().Contain("ROLLED BACK production to 1.0.0");
        _repo.Production.Current!.Should().Match<Release>(r => r.Version == "1.0.0" && r.Kind == "rollback");
        _repo.Production.Manifest!.ArtifactDigest.Should().Be(_repo.Production.History()[0].Digest);
    }

    // ----- The seed's promise: a broken job or template never reaches production -------------

    [Fact]
    public async Task A_transform_that_drops_rows_fails_the_record_count_check()
    {
        _repo.Change("jobs/taxi/transform.sql", "FROM trips", "FROM trips\nWHERE VendorID = 1");

        var result = await _repo.RunAsync("--target=PromoteToProduction", "--scale=0.001", "--approve");

        AssertStoppedBeforeProduction(result);
        result.Output.Should().Contain("FAILED livetests/");
        File.ReadAllText(Path.Combine(_repo.Path, "artifacts", "livetest", _repo.Production.Root.Length > 0 ? StackOf(result) : string.Empty, "livetests.log")).Should().Contain("Every_raw_taxi_trip_reaches_the_data_lake");
    }

    [Fact]
    public async Task A_transform_that_corrupts_a_column_fails_the_right_rule()
    {
        _repo.Change("jobs/taxi/transform.sql", "CAST(Fare_amount AS DOUBLE) AS fare_amount", "-CAST(Fare_amount AS DOUBLE) AS fare_amount");

        var result = await _repo.RunAsync("--target=PromoteToProduction", "--scale=0.001", "--no-livetests", "--approve");

        AssertStoppedBeforeProduction(result);
        result.Error.Should().Contain("rules of taxi_").And.Contain("FAILED ColumnValues \"fare_amount\" >= 0");
    }

    [Fact]
    public async Task A_sql_error_fails_the_job_step_naming_file_and_line()
    {
        _repo.Change("jobs/taxi/transform.sql", "CAST(Fare_amount AS DOUBLE)", "CAST(Fare_amont AS DOUBLE)");

        var result = await _repo.RunAsync("--target=PromoteToProduction", "--scale=0.001", "--no-livetests", "--approve");

        AssertStoppedBeforeProduction(result);
        result.Error.Should().Contain("job taxi_").And.Contain("jobs/taxi/transform.sql:16:8: error JOB-SQL: Binder Error: Referenced column \"Fare_amont\" not found");
    }

    [Fact]
    public async Task A_template_error_fails_before_anything_is_deployed()
    {
        _repo.Change("templates/etl.yaml", "DatabaseName: !Ref RawDatabase", "DatabaseName: !Ref RawDatabse");

        var result = await _repo.RunAsync("--target=PromoteToProduction", "--scale=0.001", "--no-livetests", "--approve");

        AssertStoppedBeforeProduction(result);
        result.Output.Should().NotContain("Deployed the local stack");
        (result.Output + result.Error).Should().Contain("templates/etl.yaml:").And.Contain("RawDatabse");
    }

    private void AssertStoppedBeforeProduction(HostRunResult result)
    {
        result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
        result.Output.Should().Contain("Release: NOT PROMOTED (the run stopped before approval)");
        _repo.Stacks.Should().BeEmpty("teardown ran");
        _repo.Production.History().Should().BeEmpty("nothing was promoted");
    }

    private static string StackOf(HostRunResult result) =>
        System.Text.RegularExpressions.Regex.Match(result.Output, @"Deployed the local stack (\S+)").Groups[1].Value;
}

/// <summary>Signals: Ctrl-C tears the stack down; a killed run's stack is swept.</summary>
[Collection(nameof(NestedLiveTests))]
public sealed class SignalTests : IDisposable
{
    private readonly ReleaseRepository _repo = new();

    public void Dispose() => _repo.Dispose();

    private static async Task WaitForLine(Process process, string text, List<string> seen, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            seen.Add(line);
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return;
            }
        }

        throw new InvalidOperationException($"The host ended before printing '{text}':\n{string.Join("\n", seen)}\n{await process.StandardError.ReadToEndAsync()}");
    }

    [Fact]
    public async Task SIGINT_to_the_process_group_during_a_job_cancels_it_and_tears_the_stack_down()
    {
        using var host = _repo.StartHost("--target=AutomatedLiveTest", "--scale=3", "--no-livetests", "--stack=livetest-sigint-1");
        var seen = new List<string>();
        await WaitForLine(host, "job taxi_livetest_sigint_1 ...", seen, TimeSpan.FromMinutes(3));
        Directory.Exists(Path.Combine(_repo.StateRoot, "livetest-sigint-1")).Should().BeTrue("the stack is up while the job runs");

        using (var kill = Process.Start("kill", ["-INT", "--", "-" + host.Id]))
        {
            await kill.WaitForExitAsync();
        }

        var rest = await host.StandardOutput.ReadToEndAsync();
        var error = await host.StandardError.ReadToEndAsync();
        await host.WaitForExitAsync();

        host.ExitCode.Should().Be(ExitCodes.Cancelled, rest + error);
        error.Should().Contain("Cancelled; teardown ran.");
        rest.Should().Contain("Tore down the local stack livetest-sigint-1");
        _repo.Stacks.Should().BeEmpty();
    }

    [Fact]
    public async Task A_SIGKILLed_runs_stack_is_removed_by_Sweep_which_leaves_live_runs_and_production_alone()
    {
        await LocalStack.DeployAsync(new LocalDeployRequest("livetest-alive-1", _repo.StateRoot) { ArtifactDirectory = _repo.Path }, CancellationToken.None);
        await LocalStack.DeployAsync(new LocalDeployRequest("prod", _repo.Production.StateRoot, Environment: "prod") { ArtifactDirectory = _repo.Path, Replace = false }, CancellationToken.None);
        using var host = _repo.StartHost("--target=AutomatedLiveTest", "--scale=3", "--no-livetests", "--stack=livetest-killed-1");
        var seen = new List<string>();
        await WaitForLine(host, "Deployed the local stack livetest-killed-1", seen, TimeSpan.FromMinutes(3));
        host.Kill();
        await host.WaitForExitAsync();
        _repo.Stacks.Should().Contain("livetest-killed-1", "a SIGKILLed run cannot tear down");

        var sweep = await _repo.RunAsync("--target=Sweep");

        sweep.ExitCode.Should().Be(0, sweep.ToString());
        sweep.Output.Should().Contain("removed stack  livetest-killed-1: its run (pid").And.Contain("kept           livetest-alive-1");
        _repo.Stacks.Should().Equal("livetest-alive-1");
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("PIPELINE_POSTGRES_URL")))
        {
            // Shared servers (as in CI): the killed stack's databases on them go with it.
            var database = GluePipeline.Data.Servers.RunDatabase.Name("glue_demo", "lt" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("livetest-killed-1")))[..8]);
            sweep.Output.Should().Contain($"Dropped database {database}", "the killed stack's databases on the shared servers go with it");
            await using var postgres = await GluePipeline.Data.AdoQueryEngine.ConnectAsync(GluePipeline.Tests.Support.DatabaseServers.Postgres, CancellationToken.None);
            (await postgres.QueryAsync($"SELECT COUNT(*) FROM pg_database WHERE datname = '{database}'", CancellationToken.None)).Rows[0][0].Should().Be(0L);
        }
        _repo.Production.Manifest.Should().NotBeNull("production is never swept");
    }

    [SkippableFact]
    public async Task A_SIGKILLed_run_leaves_pidfiles_of_its_database_servers_which_Sweep_stops()
    {
        var binaries = GluePipeline.Data.Servers.ServerBinaries.Find();
        if (binaries.PostgresBin is null || binaries.MariaDbServer is null)
        {
            Skip.IfNot(GluePipeline.Tests.Support.DatabaseServers.IsCi, "PostgreSQL and MariaDB binaries are not installed");
            throw new InvalidOperationException("CI=true: .ci/run installs postgresql and mariadb-server");
        }

        using var host = _repo.StartHost("--target=AutomatedLiveTest", "--scale=3", "--no-livetests", "--stack=livetest-dbkill-1", "--databases=binaries");
        var seen = new List<string>();
        await WaitForLine(host, "Deployed the local stack livetest-dbkill-1", seen, TimeSpan.FromMinutes(3));
        host.Kill();
        await host.WaitForExitAsync();
        var servers = Path.Combine(_repo.Path, ".pipeline", "servers");
        var records = Directory.GetFiles(servers, "*.json").Select(f => System.Text.Json.JsonSerializer.Deserialize<LocalServer>(File.ReadAllText(f))!).ToArray();
        records.Should().HaveCount(2, "a PostgreSQL and a MariaDB server were started for the stack's connections");
        records.Should().OnlyContain(r => Alive(r.Pid), "a SIGKILLed run cannot stop its servers");

        var sweep = await _repo.RunAsync("--target=Sweep");

        sweep.ExitCode.Should().Be(0, sweep.ToString());
        sweep.Output.Should().Contain("stopped server").And.Contain("removed stack  livetest-dbkill-1");
        records.Should().OnlyContain(r => !Alive(r.Pid), "Sweep stopped them");
        records.Should().OnlyContain(r => r.DataDirectory == null || !Directory.Exists(r.DataDirectory));
        Directory.GetFiles(servers, "*.json").Should().BeEmpty();
    }

    private static bool Alive(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2].Equals("Z", StringComparison.Ordinal);
}
