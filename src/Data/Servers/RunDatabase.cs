using System.Text.RegularExpressions;

namespace GluePipeline.Data.Servers;

/// <summary>
/// A run's own database on a shared server (e.g. <c>glue_demo_lt3fa9c1</c>), so runs and tests never see each
/// other's tables: created at the start of a run, dropped at its teardown.
/// </summary>
public static partial class RunDatabase
{
    /// <summary>The longest name both engines accept (PostgreSQL's identifier limit).</summary>
    public const int MaxNameLength = 63;

    /// <summary>Whether a name is safe to use unquoted in both engines: lowercase letters, digits and <c>_</c>, starting with a letter or <c>_</c>, at most 63 characters.</summary>
    public static bool IsValidName(string name) => name.Length <= MaxNameLength && SafeName().IsMatch(name);

    /// <summary>Creates the database (PostgreSQL: UTF8; MariaDB: utf8mb4) and returns the server URI pointed at it.</summary>
    /// <param name="server">An admin URI from <see cref="DatabaseServers"/>.</param>
    /// <param name="name">The database's name (see <see cref="IsValidName"/>).</param>
    /// <param name="cancellationToken">Cancels.</param>
    public static async Task<DatabaseUri> CreateAsync(DatabaseUri server, string name, CancellationToken cancellationToken)
    {
        Validate(name);
        await using var engine = await AdoQueryEngine.ConnectAsync(server, cancellationToken);
        await engine.ExecuteAsync(
            server.Kind == DatabaseKind.PostgreSql
                ? $"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0"
                : $"CREATE DATABASE `{name}` CHARACTER SET utf8mb4",
            cancellationToken);
        return server.WithDatabase(name);
    }

    /// <summary>Drops the database if it exists (PostgreSQL: disconnecting its sessions first, <c>WITH (FORCE)</c>).</summary>
    /// <param name="server">An admin URI from <see cref="DatabaseServers"/> (not the database being dropped).</param>
    /// <param name="name">The database's name (see <see cref="IsValidName"/>).</param>
    /// <param name="cancellationToken">Cancels.</param>
    public static async Task DropAsync(DatabaseUri server, string name, CancellationToken cancellationToken)
    {
        Validate(name);
        if (string.Equals(server.Database, name, StringComparison.Ordinal))
        {
            throw new ArgumentException($"cannot drop {name} through a connection to it; pass the server's admin URI", nameof(server));
        }

        await using (var engine = await AdoQueryEngine.ConnectAsync(server, cancellationToken))
        {
            await engine.ExecuteAsync(
                server.Kind == DatabaseKind.PostgreSql ? $"DROP DATABASE IF EXISTS {name} WITH (FORCE)" : $"DROP DATABASE IF EXISTS `{name}`",
                cancellationToken);
        }

        // Pooled connections to the dropped database are dead (FORCE ended them); a database made again under
        // the same name (the next deployment of the same stack) must not be handed one of them.
        if (server.Kind == DatabaseKind.PostgreSql)
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
        }
        else
        {
            await MySqlConnector.MySqlConnection.ClearAllPoolsAsync(cancellationToken);
        }
    }

    /// <summary>Builds a valid name from a base and a run suffix (lowercased, other characters as <c>_</c>, cut to fit), e.g. <c>glue_demo</c> + <c>lt3fa9c1</c>.</summary>
    public static string Name(string baseName, string runSuffix)
    {
        static string Clean(string text) => Unsafe().Replace(text.ToLowerInvariant(), "_").Trim('_');
        var suffix = Clean(runSuffix);
        var stem = Clean(baseName);
        var room = MaxNameLength - suffix.Length - 1;
        var name = (stem.Length > room ? stem[..Math.Max(0, room)] : stem).TrimEnd('_') + "_" + suffix;
        name = name.Trim('_');
        return name.Length > 0 && char.IsAsciiDigit(name[0]) ? ("_" + name)[..Math.Min(name.Length + 1, MaxNameLength)] : name;
    }

    private static void Validate(string name)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a safe database name: use lowercase letters, digits and _, starting with a letter or _, at most {MaxNameLength} characters", nameof(name));
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeName();

    [GeneratedRegex("[^a-z0-9_]+", RegexOptions.CultureInvariant)]
    private static partial Regex Unsafe();
}
