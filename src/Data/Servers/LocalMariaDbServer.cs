using System.Diagnostics;
using System.Globalization;
using GluePipeline.Stacks;
using MySqlConnector;

namespace GluePipeline.Data.Servers;

/// <summary>
/// A throw-away MariaDB from the local binaries: <c>mariadb-install-db</c> into a temp folder, <c>mariadbd</c> on a free
/// loopback port (<c>--user=root</c> when root, <c>--local-infile=1</c>, no binlog, lazy log flush). Setup runs as the
/// OS user's socket-authenticated account; TCP clients get a generated user with a random password and all privileges.
/// </summary>
internal sealed class LocalMariaDbServer : LocalServerProcess
{
    private const string TcpUser = "pipeline";
    private readonly ServerBinaries _binaries;
    private Process? _process;

    private LocalMariaDbServer(ServerBinaries binaries, DatabaseServerOptions options, RunOwner owner)
        : base("mariadb", options, owner)
    {
        _binaries = binaries;
    }

    private string DataFolder => Path.Combine(Folder, "data");

    private string Socket => Path.Combine(Folder, "mysqld.sock");

    private string PidFile => Path.Combine(Folder, "mysqld.pid");

    /// <summary>Starts a server and returns it once it answers on TCP with the password.</summary>
    public static async Task<LocalMariaDbServer> StartAsync(ServerBinaries binaries, DatabaseServerOptions options, RunOwner owner, CancellationToken cancellationToken)
    {
        var server = new LocalMariaDbServer(binaries, options, owner);
        return await StartedAsync(server, "starting MariaDB", options.StartTimeout, server.StartAsync, cancellationToken);
    }

    /// <inheritdoc/>
    protected override async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        // SIGTERM is mariadbd's clean shutdown; SIGKILL only if it lingers.
        await ServerProcess.TerminateAsync(_process.Id, TimeSpan.FromSeconds(30), Time);
        _process.Dispose();
        _process = null;
    }

    private async Task<bool> StartAsync(CancellationToken cancellationToken)
    {
        // Socket authentication maps the OS user to the account of the same name: root as root, else the current user.
        var setupUser = Environment.UserName;
        await ServerProcess.RunCheckedAsync(
            "mariadb-install-db",
            _binaries.MariaDbInstallDb!,
            [$"--datadir={DataFolder}", $"--user={setupUser}", "--auth-root-authentication-method=socket", "--skip-test-db"],
            cancellationToken,
            Folder);

        var port = ServerProcess.FreeLoopbackPort();
        List<string> arguments =
        [
            $"--datadir={DataFolder}", $"--port={port.ToString(CultureInfo.InvariantCulture)}", "--bind-address=127.0.0.1",
            $"--socket={Socket}", $"--pid-file={PidFile}", $"--log-error={LogFile}", $"--secure-file-priv={Folder}",
            "--innodb-flush-log-at-trx-commit=0", "--skip-log-bin", "--skip-name-resolve", "--max-connections=200", "--local-infile=1",
        ];
        if (ServerProcess.IsRoot)
        {
            arguments.Insert(1, "--user=root");
        }

        // exec keeps the pid: the shell only detaches the server's stdio from ours.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = Folder };
        foreach (var word in (string[])["-c", "exec \"$0\" \"$@\" </dev/null >/dev/null 2>&1", _binaries.MariaDbServer!, .. arguments])
        {
            start.ArgumentList.Add(word);
        }

        _process = Process.Start(start) ?? throw new DatabaseServerException("mariadbd did not start");
        Register(_process.Id);

        var setup = new MySqlConnectionStringBuilder
        {
            Server = Socket,
            ConnectionProtocol = MySqlConnectionProtocol.UnixSocket,
            UserID = setupUser,
            Pooling = false,
            ConnectionTimeout = 2,
        };
        var connection = await ConnectWhenReadyAsync(setup.ConnectionString, cancellationToken);
        await using (connection)
        {
            var password = ServerProcess.NewPassword();
            await using var command = connection.CreateCommand();
            command.CommandText =
                "DELETE FROM mysql.global_priv WHERE User = ''; FLUSH PRIVILEGES; " +
                $"CREATE USER '{TcpUser}'@'%' IDENTIFIED BY '{password}'; " +
                $"GRANT ALL PRIVILEGES ON *.* TO '{TcpUser}'@'%' WITH GRANT OPTION; FLUSH PRIVILEGES;";
            await command.ExecuteNonQueryAsync(cancellationToken);
            command.CommandText = "SELECT VERSION()";
            var version = (string?)await command.ExecuteScalarAsync(cancellationToken) ?? "?";
            Description = "MariaDB " + version.Split('-')[0];
            Uri = new DatabaseUri(DatabaseKind.MySql, "127.0.0.1", port, "mysql", TcpUser, password);
        }

        var recorded = File.Exists(PidFile) && int.TryParse(File.ReadAllText(PidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0;
        if (recorded != _process.Id)
        {
            throw new DatabaseServerException($"mariadbd's pid file says {recorded}, but it runs as pid {_process.Id}");
        }

        return true;
    }

    private async Task<MySqlConnection> ConnectWhenReadyAsync(string connectionString, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_process!.HasExited)
            {
                throw new DatabaseServerException($"mariadbd exited with code {_process.ExitCode} while starting; server log: {ServerProcess.LogTail(LogFile)}");
            }

            if (File.Exists(Socket))
            {
                var connection = new MySqlConnection(connectionString);
                try
                {
                    await connection.OpenAsync(cancellationToken);
                    return connection;
                }
                catch (MySqlException)
                {
                    await connection.DisposeAsync();
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), Time, cancellationToken);
        }
    }
}
