using System.Diagnostics;
using GluePipeline.Data;
using GluePipeline.Data.Jdbc;
using GluePipeline.Data.Servers;
using GluePipeline.Stacks;
using GluePipeline.Tests.Support;
using DatabaseServers = GluePipeline.Data.Servers.DatabaseServers;

namespace GluePipeline.Tests.Data.Servers;

/// <summary>
/// Throw-away PostgreSQL and MariaDB servers from the local binaries: they answer on TCP with a generated password,
/// host run databases, leave nothing behind when disposed, and are stopped by Sweep when their run is SIGKILLed.
/// Skipped on a machine without the binaries, but failing under CI=true.
/// </summary>
public sealed class LocalBinariesTests : IDisposable
{
    private static readonly Dictionary<string, string?> NoDocker = new() { ["DOCKER_HOST"] = "unix:///nonexistent/docker.sock" };

    private readonly TempDirectory _temp = new("servers-test");
    private readonly List<string> _log = [];

    private string ServersFolder => Path.Combine(_temp.Path, "servers");

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public async Task BinariesServeBothEnginesWithPasswordsAndRunDatabasesAndLeaveNothingBehind()
    {
        RequireBinaries(postgres: true, mariaDb: true);

        var servers = await DatabaseServers.StartAsync(Options(DatabaseProviderChoice.Binaries), _log.Add, CancellationToken.None);
        LocalServer[] started;
        try
        {
            servers.Provider.Should().MatchRegex(@"^local binaries \(PostgreSQL \d+\.\d+, MariaDB \d+\.\d+\.\d+\)$");
            servers.Postgres.Should().NotBeNull();
            servers.MySql.Should().NotBeNull();
            servers.Missing(JdbcEngine.PostgreSql).Should().BeNull();
            servers.Missing(JdbcEngine.MySql).Should().BeNull();
            servers.For(JdbcEngine.Redshift).Should().Be(servers.Postgres);
            started = [.. servers.Servers];
            started.Should().HaveCount(2);
            Directory.GetFiles(ServersFolder, "*.json").Should().HaveCount(2, "each server is recorded for Sweep before the caller gets it");
            started.Should().OnlyContain(s => ServerProcess.IsRunning(s.Pid) && Directory.Exists(s.DataDirectory));
            started.Should().OnlyContain(s => s.Owner.Pid == Environment.ProcessId);

            foreach (var server in new[] { servers.Postgres!, servers.MySql! })
            {
                await using (var engine = await AdoQueryEngine.ConnectAsync(server, CancellationToken.None))
                {
                    (await engine.QueryAsync("SELECT 1", CancellationToken.None)).Rows.Should().ContainSingle();
                }

                // TCP needs the password: the setup-only trust/socket access does not reach the network.
                var wrong = () => AdoQueryEngine.ConnectAsync(server with { Password = "wrong" }, CancellationToken.None);
                await wrong.Should().ThrowAsync<QueryFailedException>();

                var name = RunDatabase.Name("glue_demo", "lt" + Guid.NewGuid().ToString("N")[..6]);
                var database = await RunDatabase.CreateAsync(server, name, CancellationToken.None);
                database.Database.Should().Be(name);
                await using (var engine = await AdoQueryEngine.ConnectAsync(database, CancellationToken.None))
                {
                    await engine.ExecuteAsync("CREATE TABLE trips (id INT, city VARCHAR(20))", CancellationToken.None);
                    await engine.ExecuteAsync("INSERT INTO trips VALUES (1, 'Zürich')", CancellationToken.None);
                    (await engine.QueryAsync("SELECT city FROM trips", CancellationToken.None)).Rows.Single()[0].Should().Be("Zürich");
                }

                // PostgreSQL drops it WITH (FORCE), even while the pool above still holds a session.
                await RunDatabase.DropAsync(server, name, CancellationToken.None);
                await using (var engine = await AdoQueryEngine.ConnectAsync(server, CancellationToken.None))
                {
                    var count = server.Kind == DatabaseKind.PostgreSql
                        ? $"SELECT COUNT(*) FROM pg_database WHERE datname = '{name}'"
                        : $"SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '{name}'";
                    Convert.ToInt64((await engine.QueryAsync(count, CancellationToken.None)).Rows.Single()[0], System.Globalization.CultureInfo.InvariantCulture).Should().Be(0);
                }
            }
        }
        finally
        {
            await servers.DisposeAsync();
        }

        started.Should().OnlyContain(s => !ServerProcess.IsRunning(s.Pid), "dispose stops both servers");
        started.Should().OnlyContain(s => !Directory.Exists(s.DataDirectory), "their temp folders are removed");
        Directory.GetFiles(ServersFolder, "*.json").Should().BeEmpty("their pidfiles are removed");
        Directory.GetDirectories(_temp.Path).Should().Equal([ServersFolder]);
        AssertNoPasswordIn(_log, servers.Postgres!, servers.MySql!);
        _log.Should().Contain(l => l.Contains("postgres://postgres:***@127.0.0.1:", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task SweepStopsTheServersOfARunThatWasKilled()
    {
        RequireBinaries(postgres: true, mariaDb: true);
        using var run = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
        var owner = new RunOwner(run.Id, run.StartTime.ToUniversalTime(), Environment.MachineName);
        owner.IsAlive.Should().BeTrue();

        var servers = await DatabaseServers.StartAsync(Options(DatabaseProviderChoice.Binaries) with { Owner = owner }, _log.Add, CancellationToken.None);
        LocalServer[] started = [.. servers.Servers];
        started.Should().HaveCount(2);
        var stacks = Path.Combine(_temp.Path, "stacks");

        Sweeper.Sweep(stacks, ServersFolder).StoppedServers.Should().BeEmpty("the owning run is still alive");
        started.Should().OnlyContain(s => ServerProcess.IsRunning(s.Pid));

        run.Kill();
        await run.WaitForExitAsync();
        var swept = Sweeper.Sweep(stacks, ServersFolder);

        swept.StoppedServers.Should().HaveCount(2).And.OnlyContain(s => s.Contains("stopped pid", StringComparison.Ordinal));
        started.Should().OnlyContain(s => !ServerProcess.IsRunning(s.Pid), "Sweep stops the servers of a dead run");
        started.Should().OnlyContain(s => !Directory.Exists(s.DataDirectory), "and removes their temp folders");
        Directory.GetFiles(ServersFolder, "*.json").Should().BeEmpty();

        // The run's own teardown, had it survived, finds nothing left to stop and does not fail.
        await servers.DisposeAsync();
    }

    [SkippableFact]
    public async Task AutoTakesPostgresFromItsUrlAndMariaDbFromTheBinariesAndStopsOnlyWhatItStarted()
    {
        RequireBinaries(postgres: false, mariaDb: true);
        var given = GluePipeline.Tests.Support.DatabaseServers.Postgres;
        var environment = new Dictionary<string, string?>(NoDocker) { ["PIPELINE_POSTGRES_URL"] = given.ToString(includePassword: true) };

        var servers = await DatabaseServers.StartAsync(Options(DatabaseProviderChoice.Auto) with { Environment = environment }, _log.Add, CancellationToken.None);
        try
        {
            servers.Postgres!.ToString(includePassword: true).Should().Be(given.ToString(includePassword: true));
            servers.MySql.Should().NotBeNull();
            servers.MySql!.Port.Should().NotBe(GluePipeline.Tests.Support.DatabaseServers.MySql.Port, "PIPELINE_MYSQL_URL was not given, so the binaries serve MariaDB");
            servers.Provider.Should().MatchRegex(@"^PIPELINE_POSTGRES_URL; local binaries \(MariaDB [0-9.]+\)$");
            servers.Servers.Should().ContainSingle().Which.Name.Should().Contain("mariadb");
        }
        finally
        {
            await servers.DisposeAsync();
        }

        await using var stillThere = await AdoQueryEngine.ConnectAsync(given, CancellationToken.None);
        (await stillThere.QueryAsync("SELECT 1", CancellationToken.None)).Rows.Should().ContainSingle("the given server is not ours to stop");
        AssertNoPasswordIn(_log, servers.MySql);
    }

    [SkippableFact]
    public async Task ADeadlineCutsAStartShortAndLeavesNothingBehind()
    {
        RequireBinaries(postgres: true, mariaDb: true);

        var servers = await DatabaseServers.StartAsync(Options(DatabaseProviderChoice.Binaries) with { StartTimeout = TimeSpan.FromMilliseconds(300) }, _log.Add, CancellationToken.None);
        await servers.DisposeAsync();

        servers.Provider.Should().Be("none");
        servers.Missing(JdbcEngine.PostgreSql).Should().Contain("starting PostgreSQL did not finish within 0.3 s");
        servers.Missing(JdbcEngine.MySql).Should().Contain("starting MariaDB did not finish within 0.3 s");
        Directory.GetDirectories(_temp.Path).Where(d => d != ServersFolder).Should().BeEmpty("the half-made temp folders are removed");
        (Directory.Exists(ServersFolder) ? Directory.GetFiles(ServersFolder) : []).Should().BeEmpty();
        ProcessesMentioning(_temp.Path).Should().BeEmpty("no server or setup tool is left running");
    }

    [SkippableFact]
    public async Task CancellingAStartStopsWhatWasStarted()
    {
        RequireBinaries(postgres: true, mariaDb: true);
        var started = new List<int>();
        using var cancel = new CancellationTokenSource();
        void CancelOnceOneIsUp(string line)
        {
            _log.Add(line);
            if (line.Contains(" from binaries ", StringComparison.Ordinal))
            {
                started.Add(Directory.GetFiles(ServersFolder, "*.json").Length);
                cancel.Cancel();
            }
        }

        var start = () => DatabaseServers.StartAsync(Options(DatabaseProviderChoice.Binaries), CancelOnceOneIsUp, cancel.Token);

        await start.Should().ThrowAsync<OperationCanceledException>();
        started.Should().NotBeEmpty().And.OnlyContain(n => n >= 1, "a server was up and recorded when the start was cancelled");
        Directory.GetDirectories(_temp.Path).Where(d => d != ServersFolder).Should().BeEmpty();
        (Directory.Exists(ServersFolder) ? Directory.GetFiles(ServersFolder) : []).Should().BeEmpty();
        ProcessesMentioning(_temp.Path).Should().BeEmpty();
    }

    internal static void AssertNoPasswordIn(IEnumerable<string> log, params DatabaseUri[] servers)
    {
        var lines = log.ToArray();
        lines.Should().NotBeEmpty();
        foreach (var password in servers.Select(s => s.Password).OfType<string>())
        {
            lines.Should().NotContain(l => l.Contains(password, StringComparison.Ordinal), "passwords never reach the logs");
        }
    }

    private static string[] ProcessesMentioning(string text) =>
        [.. Directory.EnumerateDirectories("/proc").Select(d => Path.Combine(d, "cmdline")).Select(f =>
        {
            try
            {
                return File.ReadAllText(f).Replace('\0', ' ');
            }
            catch (IOException)
            {
                return string.Empty;
            }
            catch (UnauthorizedAccessException)
            {
                return string.Empty;
            }
        }).Where(c => c.Contains(text, StringComparison.Ordinal))];

    private static void RequireBinaries(bool postgres, bool mariaDb)
    {
        var found = ServerBinaries.Find();
        var missing = new[] { postgres && !found.HasPostgres ? "PostgreSQL (initdb, pg_ctl)" : null, mariaDb && !found.HasMariaDb ? "MariaDB (mariadbd, mariadb-install-db)" : null }.OfType<string>().ToArray();
        if (missing.Length == 0)
        {
            return;
        }

        var why = $"no {string.Join(" or ", missing)} server binaries; install postgresql and mariadb-server";
        if (GluePipeline.Tests.Support.DatabaseServers.IsCi)
        {
            throw new InvalidOperationException(why + ", and CI=true: the local database provider must be exercised in CI.");
        }

        Skip.If(true, why);
    }

    private DatabaseServerOptions Options(DatabaseProviderChoice choice) => new(ServersFolder)
    {
        Choice = choice,
        TempRoot = _temp.Path,
        Environment = NoDocker,
        NamePrefix = "test",
    };
}
