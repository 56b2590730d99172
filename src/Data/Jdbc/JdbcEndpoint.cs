namespace GluePipeline.Data.Jdbc;

/// <summary>
/// Where a Glue connection leads in this run: the database that serves it (a provider's per-run
/// database locally, with credentials) and the database its JDBC URL names. In MySQL a table
/// qualified with the URL's database (<c>glue_demo.events</c>) is in the per-run database instead;
/// in PostgreSQL the qualifier is a schema and stays.
/// </summary>
/// <param name="Name">The connection's name (<c>ConnectionInput.Name</c>).</param>
/// <param name="Engine">The engine its URL names (Redshift is served by PostgreSQL locally).</param>
/// <param name="Database">The database that serves it, with credentials.</param>
public sealed record JdbcEndpoint(string Name, JdbcEngine Engine, DatabaseUri Database)
{
    /// <summary>The database the connection's URL names (e.g. <c>glue_demo</c>), when it differs from the serving one.</summary>
    public string? LogicalDatabase { get; init; }

    /// <summary>The table in the serving database.</summary>
    public JdbcTable Resolve(JdbcTable table) =>
        Database.Kind == DatabaseKind.MySql && table.Schema is { } schema && LogicalDatabase is { } logical && schema.Equals(logical, StringComparison.OrdinalIgnoreCase)
            ? table with { Schema = Database.Database }
            : table;

    /// <summary>A query's references to the URL's database (<c>glue_demo.</c>) pointed at the serving one (MySQL only).</summary>
    public string Resolve(string query) =>
        Database.Kind == DatabaseKind.MySql && LogicalDatabase is { } logical && !logical.Equals(Database.Database, StringComparison.Ordinal)
            ? System.Text.RegularExpressions.Regex.Replace(query, $@"(?<![\w$.`]){System.Text.RegularExpressions.Regex.Escape(logical)}(?=\s*\.)|`{System.Text.RegularExpressions.Regex.Escape(logical)}`(?=\s*\.)", Database.Database, System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)
            : query;

    /// <summary>A table of the serving database as a database URI (with the password: to hand to the validator, never to print).</summary>
    public string DatasetUri(JdbcTable table) => (Database with { Table = table.ToString(), Query = null }).ToString(includePassword: true);

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Engine}, {Database})";

    /// <summary>
    /// Reads <c>--connection name=postgres://user:password@host:port/database</c> (or <c>mysql://</c>):
    /// a Glue connection served by a database the user gives. A mistake is reported with the password masked.
    /// </summary>
    public static JdbcEndpoint ParseOption(string pair, string option = "--connection")
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || !DatabaseUri.IsDatabaseUri(pair[(equals + 1)..]))
        {
            throw new Diagnostics.PipelineInputException(Diagnostics.Diagnostic.Error(new Diagnostics.SourceLocation($"{option}={DatabaseUri.Redact(pair)}"), "ARG-CONNECTION",
                "A connection is written name=uri", $"write e.g. {option}=mysql-source=mysql://user:password@127.0.0.1:3306/glue_demo (the name is the Glue connection's)"));
        }

        var name = pair[..equals];
        var database = DatabaseUri.Parse(pair[(equals + 1)..], $"{option}={name}");
        return new JdbcEndpoint(name, database.Kind == DatabaseKind.MySql ? JdbcEngine.MySql : JdbcEngine.PostgreSql, database with { Table = null, Query = null });
    }
}
