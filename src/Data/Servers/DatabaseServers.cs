using System.Collections;
using GluePipeline.Data.Jdbc;
using GluePipeline.Diagnostics;
using GluePipeline.Stacks;

namespace GluePipeline.Data.Servers;

/// <summary>
/// The PostgreSQL and MySQL/MariaDB servers the local lane's JDBC jobs run against, from the first provider that
/// serves each engine: <b>containers</b> (Testcontainers, only when a Docker engine answers), <b>urls</b>
/// (<c>PIPELINE_POSTGRES_URL</c> / <c>PIPELINE_MYSQL_URL</c>), <b>binaries</b> (throw-away local servers), else
/// <b>none</b> with the reason. Under auto the providers are tried in that order and each later provider is asked
/// only for the engines the earlier ones did not give (so PIPELINE_POSTGRES_URL alone gives PostgreSQL from the
/// URL and MariaDB from the binaries); a forced choice tries only that provider. Disposing stops only what it started.
/// </summary>
public sealed class DatabaseServers : IAsyncDisposable
{
    private static readonly DatabaseKind[] Kinds = [DatabaseKind.PostgreSql, DatabaseKind.MySql];
    private static readonly string[] ProviderOrder = ["containers", "urls", "binaries"];

    private readonly object _gate = new();
    private readonly object _logGate = new();
    private readonly Action<string> _log;
    private readonly List<IStartedServer> _started = [];
    private readonly List<(string Provider, DatabaseKind Kind, string Label)> _served = [];
    private readonly Dictionary<DatabaseKind, DatabaseUri> _uris = [];
    private readonly Dictionary<DatabaseKind, List<string>> _why = Kinds.ToDictionary(k => k, _ => new List<string>());
    private bool _disposed;

    private DatabaseServers(DatabaseProviderChoice choice, Action<string> log)
    {
        Choice = choice;

        // Servers start in parallel; the caller's log need not be thread-safe.
        _log = line =>
        {
            lock (_logGate)
            {
                log(line);
            }
        };
    }

    /// <summary>The provider choice that was applied.</summary>
    public DatabaseProviderChoice Choice { get; }

    /// <summary>The PostgreSQL admin URI (with password; able to CREATE DATABASE), or null when none is available.</summary>
    public DatabaseUri? Postgres => Get(DatabaseKind.PostgreSql);

    /// <summary>The MySQL/MariaDB admin URI (with password; able to CREATE DATABASE), or null when none is available.</summary>
    public DatabaseUri? MySql => Get(DatabaseKind.MySql);

    /// <summary>Where the servers came from, for the run summary, e.g. <c>local binaries (PostgreSQL 15.8, MariaDB 10.11.6)</c>, or <c>none</c>.</summary>
    public string Provider
    {
        get
        {
            lock (_gate)
            {
                var parts = ProviderOrder
                    .Where(p => _served.Any(s => s.Provider == p))
                    .Select(p =>
                    {
                        var labels = string.Join(", ", _served.Where(s => s.Provider == p).OrderBy(s => s.Kind).Select(s => s.Label));
                        return p switch
                        {
                            "containers" => $"testcontainers ({labels})",
                            "binaries" => $"local binaries ({labels})",
                            _ => labels,
                        };
                    })
                    .ToArray();
                return parts.Length == 0 ? "none" : string.Join("; ", parts);
            }
        }
    }

    /// <summary>The local server processes it started, as recorded in the pidfiles.</summary>
    public IReadOnlyList<LocalServer> Servers
    {
        get
        {
            lock (_gate)
            {
                return [.. _started.Select(s => s.Record).OfType<LocalServer>()];
            }
        }
    }

    /// <summary>Finds or starts the servers; each started local server is in the pidfile folder before this returns.</summary>
    /// <param name="options">Choice, environment, folders.</param>
    /// <param name="log">Progress lines (URIs redacted, never a password).</param>
    /// <param name="cancellationToken">Cancels; whatever was started by then is stopped again.</param>
    public static async Task<DatabaseServers> StartAsync(DatabaseServerOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        var environment = options.Environment ?? ProcessEnvironment();
        var choice = options.Choice ?? DatabaseProviderChoices.FromEnvironment(environment);
        var servers = new DatabaseServers(choice, log);
        try
        {
            if (choice == DatabaseProviderChoice.None)
            {
                servers.WhyNot(Kinds, "the database provider is 'none' (--databases / PIPELINE_DATABASES)");
            }

            if (choice is DatabaseProviderChoice.Auto or DatabaseProviderChoice.Containers)
            {
                await servers.FromContainersAsync(options, environment, cancellationToken);
            }

            if (choice is DatabaseProviderChoice.Auto or DatabaseProviderChoice.Urls)
            {
                servers.FromUrls(environment);
            }

            if (choice is DatabaseProviderChoice.Auto or DatabaseProviderChoice.Binaries)
            {
                await servers.FromBinariesAsync(options, cancellationToken);
            }

            // A start cancelled while another server was coming up returns nothing: the catch stops what did start.
            cancellationToken.ThrowIfCancellationRequested();
        }
        catch
        {
            await servers.DisposeAsync();
            throw;
        }

        foreach (var kind in Kinds.Where(k => servers.Get(k) is null))
        {
            servers._log("databases: " + servers.Missing(kind));
        }

        servers._log($"databases: {servers.Provider}");
        return servers;
    }

    /// <summary>The admin URI that serves a JDBC engine (Redshift is served by PostgreSQL), or null.</summary>
    public DatabaseUri? For(JdbcEngine engine) => KindOf(engine) is { } kind ? Get(kind) : null;

    /// <summary>Null when the engine is served, else why not (for SKIPPED reasons and CI failures).</summary>
    public string? Missing(JdbcEngine engine) => KindOf(engine) is { } kind
        ? Missing(kind)
        : $"JDBC engine {engine} is not served in the local lane (only PostgreSQL, Redshift as PostgreSQL, and MySQL/MariaDB)";

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        IStartedServer[] started;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            started = [.. _started];
            _started.Clear();
        }

        var failures = new List<Exception>();
        foreach (var server in started.Reverse())
        {
            try
            {
                await server.DisposeAsync();
            }
            catch (Exception ex)
            {
                _log($"databases: stopping {server.Description} failed: {ex.Message}");
                failures.Add(ex);
            }
        }

        if (failures.Count > 0)
        {
            throw new DatabaseServerException($"stopping the database servers failed: {string.Join("; ", failures.Select(f => f.Message))}", failures[0]);
        }
    }

    private static DatabaseKind? KindOf(JdbcEngine engine) => engine switch
    {
        JdbcEngine.PostgreSql or JdbcEngine.Redshift => DatabaseKind.PostgreSql,
        JdbcEngine.MySql => DatabaseKind.MySql,
        _ => null,
    };

    private static string EngineName(DatabaseKind kind) => kind == DatabaseKind.PostgreSql ? "PostgreSQL" : "MySQL/MariaDB";

    private static string UrlVariable(DatabaseKind kind) => kind == DatabaseKind.PostgreSql ? "PIPELINE_POSTGRES_URL" : "PIPELINE_MYSQL_URL";

    private static Dictionary<string, string?> ProcessEnvironment() =>
        System.Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    private DatabaseUri? Get(DatabaseKind kind)
    {
        lock (_gate)
        {
            return _uris.GetValueOrDefault(kind);
        }
    }

    private string? Missing(DatabaseKind kind)
    {
        lock (_gate)
        {
            if (_uris.ContainsKey(kind))
            {
                return null;
            }

            var fix = kind == DatabaseKind.PostgreSql
                ? "start Docker, set PIPELINE_POSTGRES_URL, or install postgresql"
                : "start Docker, set PIPELINE_MYSQL_URL, or install mariadb-server";
            return $"no {EngineName(kind)} server: {string.Join("; ", _why[kind])} ({fix})";
        }
    }

    private DatabaseKind[] Remaining()
    {
        lock (_gate)
        {
            return [.. Kinds.Where(k => !_uris.ContainsKey(k))];
        }
    }

    private void WhyNot(IEnumerable<DatabaseKind> kinds, string reason)
    {
        lock (_gate)
        {
            foreach (var kind in kinds)
            {
                _why[kind].Add(reason);
            }
        }
    }

    private void Serve(string provider, DatabaseKind kind, IStartedServer server, string label)
    {
        lock (_gate)
        {
            _started.Add(server);
            _uris[kind] = server.Uri;
            _served.Add((provider, kind, label));
        }

        var pid = server.Record is { } record ? $" (pid {record.Pid}, pidfile {record.Name})" : string.Empty;
        _log($"databases: {EngineName(kind)} from {provider} ({label}): {server.Uri}{pid}");
    }

    private async Task FromContainersAsync(DatabaseServerOptions options, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        var remaining = Remaining();
        var (available, endpoint, reason) = await DockerEngine.ProbeAsync(environment, cancellationToken);
        if (!available)
        {
            WhyNot(remaining, $"no Docker engine ({reason})");
            return;
        }

        await Task.WhenAll(remaining.Select(kind =>
        {
            var image = kind == DatabaseKind.PostgreSql ? options.Images.Postgres : options.Images.MySql;
            return TryStartAsync(
                "containers",
                kind,
                image,
                async ct => kind == DatabaseKind.PostgreSql ? await ContainerServer.StartPostgresAsync(image, endpoint, ct) : await ContainerServer.StartMySqlAsync(image, endpoint, ct),
                $"testcontainers could not start {image}",
                cancellationToken);
        }));
    }

    private void FromUrls(IReadOnlyDictionary<string, string?> environment)
    {
        foreach (var kind in Remaining())
        {
            var variable = UrlVariable(kind);
            if (!environment.TryGetValue(variable, out var text) || string.IsNullOrWhiteSpace(text))
            {
                WhyNot([kind], $"{variable} is not set");
                continue;
            }

            var uri = DatabaseUri.Parse(text.Trim(), variable);
            if (uri.Kind != kind)
            {
                throw new PipelineInputException(Diagnostic.Error(
                    new SourceLocation(variable),
                    "DATABASE-URI",
                    $"{variable} must name a {EngineName(kind)} server, but {uri} does not",
                    kind == DatabaseKind.PostgreSql ? "write postgres://user:password@host:5432/database" : "write mysql://user:password@host:3306/database"));
            }

            Serve("urls", kind, new GivenServer(uri, variable), variable);
        }
    }

    private async Task FromBinariesAsync(DatabaseServerOptions options, CancellationToken cancellationToken)
    {
        var binaries = ServerBinaries.Find(options.BinarySearchPath);
        var owner = options.Owner ?? RunOwner.Current;
        var starts = new List<Task>();
        foreach (var kind in Remaining())
        {
            if (kind == DatabaseKind.PostgreSql && binaries.PostgresBin is { } bin)
            {
                starts.Add(TryStartAsync("binaries", kind, null, async ct => await LocalPostgresServer.StartAsync(bin, options, owner, ct), $"the PostgreSQL binaries in {bin} failed", cancellationToken));
            }
            else if (kind == DatabaseKind.MySql && binaries.HasMariaDb)
            {
                starts.Add(TryStartAsync("binaries", kind, null, async ct => await LocalMariaDbServer.StartAsync(binaries, options, owner, ct), $"the MariaDB binaries ({binaries.MariaDbServer}) failed", cancellationToken));
            }
            else
            {
                WhyNot([kind], kind == DatabaseKind.PostgreSql ? "no PostgreSQL binaries (initdb and pg_ctl; install postgresql)" : "no MariaDB binaries (mariadbd and mariadb-install-db; install mariadb-server)");
            }
        }

        await Task.WhenAll(starts);
    }

    private async Task TryStartAsync(string provider, DatabaseKind kind, string? label, Func<CancellationToken, Task<IStartedServer>> start, string failure, CancellationToken cancellationToken)
    {
        try
        {
            var server = await start(cancellationToken);
            Serve(provider, kind, server, label ?? server.Description);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var reason = $"{failure}: {FirstLine(ex.Message)}";
            _log($"databases: {reason}");
            WhyNot([kind], reason);
        }
    }

    /// <summary>A server given by URL: nothing to start or stop.</summary>
    private sealed class GivenServer(DatabaseUri uri, string variable) : IStartedServer
    {
        public DatabaseUri Uri => uri;

        public string Description => variable;

        public LocalServer? Record => null;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
