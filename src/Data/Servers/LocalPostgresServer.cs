using System.Globalization;
using GluePipeline.Stacks;
using Npgsql;

namespace GluePipeline.Data.Servers;

/// <summary>
/// A throw-away PostgreSQL from the local binaries: <c>initdb</c> into a temp folder, <c>pg_ctl start</c> on a free
/// loopback port with durability off (fsync, synchronous_commit, full_page_writes), trust on the temp-folder
/// socket for setup and scram-sha-256 with a generated password for TCP. PostgreSQL refuses root, so as root
/// it runs as the <c>postgres</c> user (<c>su postgres -s /bin/sh -c ...</c>) in a folder chowned to it.
/// </summary>
internal sealed class LocalPostgresServer : LocalServerProcess
{
    private const string Superuser = "postgres";
    private readonly string _bin;
    private readonly bool _asPostgresUser;
    private readonly TimeSpan _startTimeout;

    private LocalPostgresServer(string bin, DatabaseServerOptions options, RunOwner owner)
        : base("postgres", options, owner)
    {
        _bin = bin;
        _asPostgresUser = ServerProcess.IsRoot;
        _startTimeout = options.StartTimeout;
    }

    private string DataFolder => Path.Combine(Folder, "data");

    /// <summary>Starts a server and returns it once it answers on TCP with the password.</summary>
    public static async Task<LocalPostgresServer> StartAsync(string bin, DatabaseServerOptions options, RunOwner owner, CancellationToken cancellationToken)
    {
        var server = new LocalPostgresServer(bin, options, owner);
        return await StartedAsync(server, "starting PostgreSQL", options.StartTimeout, server.StartAsync, cancellationToken);
    }

    /// <inheritdoc/>
    protected override async Task StopAsync()
    {
        // postmaster.pid also covers a start cut short by the deadline before the pid was registered.
        var pid = ReadPostmasterPid();
        if (pid <= 0)
        {
            return;
        }

        // Fast: roll back open transactions and disconnect clients; a run's teardown must not wait for them.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60), Time);
        var (exitCode, _) = await RunPgAsync("pg_ctl", ["-D", DataFolder, "-m", "fast", "-w", "-t", "30", "stop"], timeout.Token);
        if (exitCode != 0)
        {
            await ServerProcess.TerminateAsync(pid, TimeSpan.FromSeconds(10), Time);
        }
    }

    private async Task<bool> StartAsync(CancellationToken cancellationToken)
    {
        if (_asPostgresUser)
        {
            var (exitCode, _) = await ServerProcess.RunAsync("id", ["-u", Superuser], cancellationToken);
            if (exitCode != 0)
            {
                throw new DatabaseServerException("running as root, and there is no postgres user to run PostgreSQL as (PostgreSQL refuses root); install the postgresql package, which creates it");
            }

            await ServerProcess.RunCheckedAsync("chown of the PostgreSQL temp folder", "chown", [$"{Superuser}:", Folder], cancellationToken);
        }

        var initdb = await RunPgAsync("initdb", ["-D", DataFolder, "-U", Superuser, "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"], cancellationToken);
        if (initdb.ExitCode != 0)
        {
            throw new DatabaseServerException($"initdb failed (exit code {initdb.ExitCode}): {ServerProcess.Tail(initdb.Output, 800)}");
        }

        var port = ServerProcess.FreeLoopbackPort();
        var settings = $"-c listen_addresses=127.0.0.1 -p {port.ToString(CultureInfo.InvariantCulture)} -k {Folder} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
        var timeoutSeconds = Math.Max(1, (int)Math.Ceiling(_startTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

        // -w: pg_ctl itself waits until the server accepts connections (or reports that it died); our deadline bounds it.
        var start = await RunPgAsync("pg_ctl", ["-D", DataFolder, "-l", LogFile, "-w", "-t", timeoutSeconds, "-o", settings, "start"], cancellationToken);
        var pid = ReadPostmasterPid();
        if (pid > 0)
        {
            Register(pid);
        }

        if (start.ExitCode != 0 || pid <= 0)
        {
            throw new DatabaseServerException($"pg_ctl start failed (exit code {start.ExitCode}): {ServerProcess.Tail(start.Output, 400)}; server log: {ServerProcess.LogTail(LogFile)}");
        }

        var password = ServerProcess.NewPassword();
        var socket = new NpgsqlConnectionStringBuilder
        {
            Host = Folder,
            Port = port,
            Username = Superuser,
            Database = "postgres",
            Pooling = false,
            IncludeErrorDetail = false,
        };
        await using (var connection = new NpgsqlConnection(socket.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var alter = new NpgsqlCommand($"ALTER USER {Superuser} PASSWORD '{password}'", connection);
            await alter.ExecuteNonQueryAsync(cancellationToken);
            await using var version = new NpgsqlCommand("SHOW server_version", connection);
            var text = (string?)await version.ExecuteScalarAsync(cancellationToken) ?? "?";
            Description = "PostgreSQL " + text.Split(' ')[0];
        }

        Uri = new DatabaseUri(DatabaseKind.PostgreSql, "127.0.0.1", port, "postgres", Superuser, password);
        return true;
    }

    private int ReadPostmasterPid()
    {
        var file = Path.Combine(DataFolder, "postmaster.pid");
        try
        {
            return File.Exists(file) && int.TryParse(File.ReadLines(file).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private Task<(int ExitCode, string Output)> RunPgAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        string[] command = [Path.Combine(_bin, tool), .. arguments];
        return _asPostgresUser
            ? ServerProcess.RunAsync("su", ServerProcess.AsUser(Superuser, command), cancellationToken, Folder)
            : ServerProcess.RunAsync(command[0], command[1..], cancellationToken, Folder);
    }
}
