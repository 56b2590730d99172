using GluePipeline.Stacks;

namespace GluePipeline.Data.Servers;

/// <summary>A server a provider started or was given: its admin URI, what it is, and how to let it go.</summary>
internal interface IStartedServer : IAsyncDisposable
{
    /// <summary>The admin URI (with the password, never to be printed unredacted).</summary>
    DatabaseUri Uri { get; }

    /// <summary>What runs, e.g. <c>PostgreSQL 15.8</c>.</summary>
    string Description { get; }

    /// <summary>The pidfile record, for servers that run as local processes.</summary>
    LocalServer? Record { get; }
}

/// <summary>
/// The common life of a throw-away local server: a fresh temp folder, a pidfile in the servers folder
/// written as soon as the pid is known (so Sweep can stop it if the run is SIGKILLed), and on dispose
/// the server stopped and both the folder and the pidfile removed.
/// </summary>
internal abstract class LocalServerProcess : IStartedServer
{
    private readonly string _serversFolder;
    private string? _pidFile;
    private bool _disposed;

    protected LocalServerProcess(string engine, DatabaseServerOptions options, RunOwner owner)
    {
        if (options.NamePrefix.Length == 0 || options.NamePrefix.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw new DatabaseServerException($"the name prefix '{options.NamePrefix}' must be letters, digits, '-' or '_' (it names pidfiles and temp folders)");
        }

        _serversFolder = options.ServersFolder;
        Owner = owner;
        Time = options.Time;
        Name = $"{options.NamePrefix}-{engine}-{ServerProcess.NewSuffix()}";
        Folder = Path.Combine(Path.GetFullPath(options.TempRoot ?? Path.GetTempPath()), Name);

        // The folder goes into pg_ctl's -o string and socket paths: keep it to characters no shell or parser minds.
        if (Folder.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.')))
        {
            throw new DatabaseServerException($"the temp folder {Folder} has characters the server command lines cannot take (use letters, digits, '/', '-', '_', '.')");
        }

        Directory.CreateDirectory(Folder);
    }

    /// <inheritdoc/>
    public DatabaseUri Uri { get; protected set; } = null!;

    /// <inheritdoc/>
    public string Description { get; protected set; } = string.Empty;

    /// <inheritdoc/>
    public LocalServer? Record { get; private set; }

    /// <summary>The pidfile name and the temp folder's name.</summary>
    protected string Name { get; }

    /// <summary>The temp folder holding data, socket and log.</summary>
    protected string Folder { get; }

    /// <summary>The run that owns the server.</summary>
    protected RunOwner Owner { get; }

    /// <summary>The clock.</summary>
    protected TimeProvider Time { get; }

    /// <summary>The server log in the temp folder.</summary>
    protected string LogFile => Path.Combine(Folder, "server.log");

    /// <summary>The server's pid, 0 until known.</summary>
    protected int Pid => Record?.Pid ?? 0;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await StopAsync();
        }
        finally
        {
            ServerProcess.DeleteFolder(Folder);
            if (_pidFile is not null && File.Exists(_pidFile))
            {
                File.Delete(_pidFile);
            }
        }
    }

    /// <summary>Records the server for Sweep before anyone gets to use it.</summary>
    protected void Register(int pid)
    {
        Record = new LocalServer(Name, pid, Owner, Folder);
        _pidFile = LocalServer.Register(_serversFolder, Record);
    }

    /// <summary>Stops the server the engine's own way, escalating to signals when that fails; the base then removes folder and pidfile.</summary>
    protected abstract Task StopAsync();

    /// <summary>Starts a server under the deadline and hands it over; a server that fails to start is stopped and its folder removed.</summary>
    protected static async Task<TServer> StartedAsync<TServer, T>(TServer server, string what, TimeSpan timeout, Func<CancellationToken, Task<T>> start, CancellationToken cancellationToken)
        where TServer : LocalServerProcess
    {
        try
        {
            await server.WithinDeadlineAsync(what, timeout, start, cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a start-up step under the start deadline; a timeout becomes an error naming the step, with the log's tail.</summary>
    protected async Task<T> WithinDeadlineAsync<T>(string what, TimeSpan timeout, Func<CancellationToken, Task<T>> step, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await step(linked.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new DatabaseServerException($"{what} did not finish within {timeout.TotalSeconds:0.#} s; server log: {ServerProcess.LogTail(LogFile)}");
        }
    }
}
