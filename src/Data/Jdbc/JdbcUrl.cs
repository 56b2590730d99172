using System.Text.RegularExpressions;

namespace GluePipeline.Data.Jdbc;

/// <summary>The database engine a Glue connection's JDBC URL names.</summary>
public enum JdbcEngine
{
    /// <summary><c>jdbc:postgresql://</c>.</summary>
    PostgreSql,

    /// <summary><c>jdbc:mysql://</c> or <c>jdbc:mariadb://</c>.</summary>
    MySql,

    /// <summary><c>jdbc:redshift://</c>: served by PostgreSQL in the local lane.</summary>
    Redshift,

    /// <summary>Anything else (SQL Server, Oracle, ...): not served locally.</summary>
    Other,
}

/// <summary>
/// A Glue connection's <c>JDBC_CONNECTION_URL</c>, e.g. <c>jdbc:mysql://host:3306/glue_demo</c>,
/// <c>jdbc:postgresql://host:5432/glue_demo</c>, <c>jdbc:redshift://cluster:5439/dev</c>. The host
/// may be anything (in the local lane it is often an attribute of a database the lane does not
/// create); the engine and the database are what the local lane needs.
/// </summary>
/// <param name="Text">The URL as written.</param>
/// <param name="Engine">The engine.</param>
/// <param name="Scheme">The sub-protocol as written (<c>mysql</c>, <c>sqlserver</c>, ...).</param>
/// <param name="Host">The host part (may be a placeholder).</param>
/// <param name="Port">The port, or null when not given.</param>
/// <param name="Database">The database, or null when the URL names none.</param>
public sealed partial record JdbcUrl(string Text, JdbcEngine Engine, string Scheme, string Host, int? Port, string? Database)
{
    /// <summary>The database engine that serves the URL locally, or null for <see cref="JdbcEngine.Other"/>.</summary>
    public DatabaseKind? LocalKind => Engine switch
    {
        JdbcEngine.PostgreSql or JdbcEngine.Redshift => DatabaseKind.PostgreSql,
        JdbcEngine.MySql => DatabaseKind.MySql,
        _ => null,
    };

    /// <summary>Reads a JDBC URL; null when it is not one.</summary>
    public static JdbcUrl? TryParse(string text)
    {
        var match = Shape().Match(text.Trim());
        if (!match.Success)
        {
            return null;
        }

        var scheme = match.Groups["scheme"].Value.ToLowerInvariant();
        var engine = scheme switch
        {
            "postgresql" or "postgres" => JdbcEngine.PostgreSql,
            "mysql" or "mariadb" => JdbcEngine.MySql,
            "redshift" => JdbcEngine.Redshift,
            _ => JdbcEngine.Other,
        };
        int? port = int.TryParse(match.Groups["port"].Value, out var p) ? p : null;
        var database = match.Groups["db"].Success && match.Groups["db"].Value.Length > 0 ? Uri.UnescapeDataString(match.Groups["db"].Value) : null;
        if (database is null && DatabaseName().Match(text) is { Success: true } named)
        {
            database = named.Groups[1].Value;
        }

        return new JdbcUrl(text, engine, scheme, match.Groups["host"].Value, port, database);
    }

    /// <inheritdoc/>
    public override string ToString() => Text;

    // jdbc:<scheme>://<host>[:<port>][/<db>][?...|;...]; the host may hold a placeholder with spaces.
    [GeneratedRegex(@"^jdbc:(?<scheme>[a-z0-9]+)(?::[a-z]+)?:(?://)?@?(?<host>[^/?;]*?)(?::(?<port>\d+))?(?:/(?<db>[^/?;]*))?(?:[?;].*)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    [GeneratedRegex(@";(?:databaseName|database)=([^;]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DatabaseName();
}
