using System.Web;
using GluePipeline.Diagnostics;

namespace GluePipeline.Data;

/// <summary>Which database server a URI names.</summary>
public enum DatabaseKind
{
    /// <summary>PostgreSQL (<c>postgres://</c> or <c>postgresql://</c>).</summary>
    PostgreSql,

    /// <summary>MySQL or MariaDB (<c>mysql://</c> or <c>mariadb://</c>).</summary>
    MySql,
}

/// <summary>
/// A database and optionally a table or query in it, written as a URI:
/// <c>postgres://user:pass@host:port/db?table=schema.t</c>, <c>...?query=select ...</c>,
/// <c>mysql://user:pass@host:port/db?table=t</c>. User and password are percent-decoded; the
/// password never appears in <see cref="ToString()"/>.
/// </summary>
public sealed record DatabaseUri(DatabaseKind Kind, string Host, int Port, string Database, string? User, string? Password)
{
    /// <summary>The table the URI names (<c>?table=</c>), or null.</summary>
    public string? Table { get; init; }

    /// <summary>The query the URI names (<c>?query=</c>), or null.</summary>
    public string? Query { get; init; }

    /// <summary>Other settings passed through to the driver (e.g. <c>sslmode</c>).</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    /// <summary>Whether a text is a database URI (rather than a file path).</summary>
    public static bool IsDatabaseUri(string text) =>
        text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) ||
        text.StartsWith("mysql://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("mariadb://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses a URI; a malformed one is a <see cref="PipelineInputException"/> naming <paramref name="source"/>.</summary>
    public static DatabaseUri Parse(string text, string source)
    {
        PipelineInputException Bad(string why) => new(Diagnostic.Error(new SourceLocation(source), "DATABASE-URI", $"{Redact(text)} is not a database URI: {why}", "write postgres://user:password@host:5432/database?table=schema.table (or ?query=...), or mysql://user:password@host:3306/database?table=table"));

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            throw Bad("it cannot be read as a URI");
        }

        var kind = uri.Scheme.ToLowerInvariant() switch
        {
            "postgres" or "postgresql" => DatabaseKind.PostgreSql,
            "mysql" or "mariadb" => DatabaseKind.MySql,
            _ => throw Bad($"the scheme {uri.Scheme} is not postgres or mysql"),
        };
        var database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/'));
        if (database.Length == 0)
        {
            throw Bad("it names no database");
        }

        string? user = null;
        string? password = null;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }

        var query = HttpUtility.ParseQueryString(uri.Query);
        var options = query.AllKeys.OfType<string>()
            .Where(k => k is not "table" and not "query")
            .ToDictionary(k => k, k => query[k]!, StringComparer.OrdinalIgnoreCase);
        var result = new DatabaseUri(kind, uri.Host, uri.IsDefaultPort || uri.Port < 0 ? (kind == DatabaseKind.PostgreSql ? 5432 : 3306) : uri.Port, database, user, password)
        {
            Table = query["table"],
            Query = query["query"],
            Options = options,
        };
        if (result.Table is not null && result.Query is not null)
        {
            throw Bad("it has both ?table= and ?query=");
        }

        return result;
    }

    /// <summary>The URI with the password masked.</summary>
    public static string Redact(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, "(://[^:/@]*:)[^@]*@", "$1***@");

    /// <summary>The same server and credentials, another database (e.g. a run's own).</summary>
    public DatabaseUri WithDatabase(string database) => this with { Database = database, Table = null, Query = null };

    /// <inheritdoc/>
    public override string ToString() => ToString(includePassword: false);

    /// <summary>The URI; the password is masked unless <paramref name="includePassword"/> (to hand it to another component, never to print).</summary>
    public string ToString(bool includePassword) =>
        $"{(Kind == DatabaseKind.PostgreSql ? "postgres" : "mysql")}://{(User is null ? string.Empty : Uri.EscapeDataString(User) + (Password is null ? string.Empty : ":" + (includePassword ? Uri.EscapeDataString(Password) : "***")) + "@")}{Host}:{Port}/{Database}" +
        QueryString();

    private string QueryString()
    {
        var parts = new List<string>();
        if (Table is not null)
        {
            parts.Add("table=" + Uri.EscapeDataString(Table));
        }
        else if (Query is not null)
        {
            parts.Add("query=" + Uri.EscapeDataString(Query));
        }

        parts.AddRange(Options.Select(o => Uri.EscapeDataString(o.Key) + "=" + Uri.EscapeDataString(o.Value)));
        return parts.Count == 0 ? string.Empty : "?" + string.Join("&", parts);
    }
}
