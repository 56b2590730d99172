using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GluePipeline.Data;
using GluePipeline.Data.Jdbc;
using GluePipeline.Data.Servers;

namespace GluePipeline.Stacks;

/// <summary>A database a LiveTest stack created for its connections (recorded without credentials, so teardown can drop it).</summary>
/// <param name="Kind">PostgreSQL or MySQL.</param>
/// <param name="Host">The server's host.</param>
/// <param name="Port">The server's port.</param>
/// <param name="Name">The database's name, e.g. <c>glue_demo_lt3fa9c1ab</c>.</param>
/// <param name="Connections">The connections it serves.</param>
public sealed record StackDatabase(DatabaseKind Kind, string Host, int Port, string Name, IReadOnlyList<string> Connections);

/// <summary>The databases of a stack and the connections they serve.</summary>
/// <param name="Endpoints">Connection name to the database that serves it (with credentials: never print them).</param>
/// <param name="Unserved">Connection name to why no database serves it.</param>
public sealed record ServedConnections(IReadOnlyDictionary<string, JdbcEndpoint> Endpoints, IReadOnlyDictionary<string, string> Unserved);

/// <summary>
/// Gives a LiveTest stack's Glue connections their own databases on the run's database servers:
/// one database per engine and database named in the connections' URLs (<c>glue_demo</c> becomes
/// <c>glue_demo_&lt;stack hash&gt;</c>), so runs never share data. The manifest says which database serves
/// which connection (password masked); <c>databases.json</c> in the stack's state folder records what
/// to drop at teardown.
/// </summary>
public static class StackDatabases
{
    /// <summary>The record of a stack's databases in its state folder.</summary>
    public const string FileName = "databases.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Creates the stack's databases and updates its manifest.</summary>
    public static async Task<ServedConnections> ProvisionAsync(RunManifest manifest, string manifestPath, DatabaseServers servers, Action<string> log, CancellationToken cancellationToken)
    {
        var suffix = "lt" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest.Stack)))[..8];
        var endpoints = new Dictionary<string, JdbcEndpoint>(StringComparer.Ordinal);
        var unserved = new Dictionary<string, string>(StringComparer.Ordinal);
        var created = new Dictionary<(DatabaseKind, string), (DatabaseUri Uri, List<string> Connections)>();
        var connections = new List<StackConnection>();
        var record = Path.Combine(manifest.StateDirectory!, FileName);
        try
        {
            foreach (var connection in manifest.Connections)
            {
                var url = JdbcUrl.TryParse(connection.Url);
                if (url?.LocalKind is not { } kind)
                {
                    unserved[connection.Name] = connection.Note ?? "its URL names no engine the local lane serves";
                    connections.Add(connection);
                    continue;
                }

                if (servers.For(url.Engine) is not { } server)
                {
                    unserved[connection.Name] = servers.Missing(url.Engine) ?? "no database server";
                    connections.Add(connection with { Provider = servers.Provider, Note = JoinNotes(connection.Note, unserved[connection.Name]) });
                    continue;
                }

                var logical = url.Database ?? connection.Name;
                if (!created.TryGetValue((kind, logical), out var database))
                {
                    var name = RunDatabase.Name(logical, suffix);
                    await RunDatabase.DropAsync(server, name, cancellationToken);
                    database = (await RunDatabase.CreateAsync(server, name, cancellationToken), []);
                    created[(kind, logical)] = database;
                }

                database.Connections.Add(connection.Name);
                Save(record, created);
                endpoints[connection.Name] = new JdbcEndpoint(connection.Name, url.Engine, database.Uri) { LogicalDatabase = logical };
                connections.Add(connection with { ServedBy = database.Uri.ToString(), Provider = servers.Provider });
                log($"Connection {connection.Name} ({connection.Engine}, {logical}) is served by {database.Uri} [{servers.Provider}]{(url.Engine == JdbcEngine.Redshift ? ": Redshift by PostgreSQL" : string.Empty)}");
            }
        }
        catch
        {
            await ReleaseAsync(manifest.StateDirectory!, servers, _ => { }, CancellationToken.None);
            throw;
        }

        (manifest with { Connections = connections }).Save(manifestPath);
        return new ServedConnections(endpoints, unserved);
    }

    /// <summary>
    /// The connections of a stack provisioned by this run's servers (another process of the same
    /// stack: PIPELINE_*_URL servers are found again; servers a run started are its own).
    /// </summary>
    public static ServedConnections Attach(RunManifest manifest, DatabaseServers? servers)
    {
        var endpoints = new Dictionary<string, JdbcEndpoint>(StringComparer.Ordinal);
        var unserved = new Dictionary<string, string>(StringComparer.Ordinal);
        var databases = Load(Path.Combine(manifest.StateDirectory ?? string.Empty, FileName));
        foreach (var connection in manifest.Connections)
        {
            var url = JdbcUrl.TryParse(connection.Url);
            var database = databases.FirstOrDefault(d => d.Connections.Contains(connection.Name, StringComparer.Ordinal));
            var server = url is null || servers is null ? null : servers.For(url.Engine);
            if (url is null || database is null || server is null || server.Host != database.Host || server.Port != database.Port)
            {
                unserved[connection.Name] = connection.Note is { } note && connection.ServedBy is null ? note
                    : database is null ? "no database serves it in this run"
                    : $"its database {database.Name} is on {database.Host}:{database.Port}, a server this run cannot reach with credentials (run DeployLiveTest and AutomatedLiveTest in one run, or give the servers as PIPELINE_POSTGRES_URL/PIPELINE_MYSQL_URL)";
                continue;
            }

            endpoints[connection.Name] = new JdbcEndpoint(connection.Name, url.Engine, server.WithDatabase(database.Name)) { LogicalDatabase = url.Database ?? connection.Name };
        }

        return new ServedConnections(endpoints, unserved);
    }

    /// <summary>Drops the stack's databases (on the servers given, when they are the same servers); false when it had none.</summary>
    public static async Task<bool> ReleaseAsync(string stateDirectory, DatabaseServers? servers, Action<string> log, CancellationToken cancellationToken)
    {
        var path = Path.Combine(stateDirectory, FileName);
        var databases = Load(path);
        foreach (var database in databases)
        {
            var server = database.Kind == DatabaseKind.PostgreSql ? servers?.Postgres : servers?.MySql;
            if (server is null || server.Host != database.Host || server.Port != database.Port)
            {
                log($"Database {database.Name} on {database.Host}:{database.Port} was left: this run has no credentials for that server");
                continue;
            }

            await RunDatabase.DropAsync(server, database.Name, cancellationToken);
            log($"Dropped database {database.Name} on {database.Host}:{database.Port}");
        }

        if (File.Exists(path))
        {
            File.Delete(path);
        }

        return databases.Count > 0;
    }

    private static void Save(string path, Dictionary<(DatabaseKind, string), (DatabaseUri Uri, List<string> Connections)> created)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var records = created.Values.Select(d => new StackDatabase(d.Uri.Kind, d.Uri.Host, d.Uri.Port, d.Uri.Database, d.Connections.ToArray())).ToArray();
        File.WriteAllText(path, JsonSerializer.Serialize(records, Json));
    }

    private static IReadOnlyList<StackDatabase> Load(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<StackDatabase[]>(File.ReadAllText(path), Json) ?? [] : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static string? JoinNotes(string? first, string? second) => first is null ? second : second is null ? first : $"{first}; {second}";
}
