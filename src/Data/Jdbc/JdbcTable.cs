namespace GluePipeline.Data.Jdbc;

/// <summary>
/// A table in a database, as Glue's <c>dbtable</c> names it: <c>table</c>, <c>schema.table</c>
/// (PostgreSQL) or <c>database.table</c> (MySQL, where a database is a schema). Parts may be
/// quoted with <c>"</c> or <c>`</c>.
/// </summary>
/// <param name="Schema">The schema (MySQL: the database), or null for the connection's default.</param>
/// <param name="Name">The table's name.</param>
public sealed record JdbcTable(string? Schema, string Name)
{
    /// <summary>Reads <c>[schema.]table</c>; null when it is not a table name.</summary>
    public static JdbcTable? TryParse(string text)
    {
        var parts = new List<string>();
        var current = new System.Text.StringBuilder();
        char? quote = null;
        var quoted = false;
        foreach (var c in text.Trim())
        {
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '"' or '`')
            {
                quote = c;
                quoted = true;
            }
            else if (c == '.')
            {
                parts.Add(current.ToString());
                current.Clear();
            }
            else if (char.IsWhiteSpace(c) || c is ';' or '(' or ')' or ',' or '\'')
            {
                return null;
            }
            else
            {
                current.Append(c);
            }
        }

        parts.Add(current.ToString());
        if (quote is not null || parts.Any(p => p.Length == 0) || parts.Count > 3 || (!quoted && parts.Count == 0))
        {
            return null;
        }

        // database.schema.table: the database is the connection's own (a JDBC connection reaches one).
        return parts.Count switch
        {
            1 => new JdbcTable(null, parts[0]),
            2 => new JdbcTable(parts[0], parts[1]),
            _ => new JdbcTable(parts[1], parts[2]),
        };
    }

    /// <summary>The name quoted for a dialect.</summary>
    public string Render(SqlDialect dialect) => Schema is null ? dialect.Identifier(Name) : $"{dialect.Identifier(Schema)}.{dialect.Identifier(Name)}";

    /// <inheritdoc/>
    public override string ToString() => Schema is null ? Name : $"{Schema}.{Name}";
}
