namespace GluePipeline.Data;

/// <summary>The rows of a query, materialised (for aggregates, schemas and bounded samples only).</summary>
/// <param name="Columns">Column names in select order.</param>
/// <param name="Rows">The rows; DBNull becomes null.</param>
public sealed record QueryResult(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows)
{
    /// <summary>The value of a column of the first row, or null when there is none.</summary>
    public object? Scalar(string column)
    {
        var index = IndexOf(column);
        return Rows.Count == 0 ? null : Rows[0][index];
    }

    /// <summary>The position of a column (case-insensitive, as engines fold names differently).</summary>
    public int IndexOf(string column)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i], column, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new KeyNotFoundException($"The query returned no column '{column}' (it has {string.Join(", ", Columns)}).");
    }
}

/// <summary>A column of a relation as the engine describes it.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Type">The engine's type name (e.g. BIGINT, VARCHAR, DOUBLE, TIMESTAMP).</param>
public sealed record ColumnSchema(string Name, string Type);
