namespace GluePipeline.Data;

/// <summary>
/// A SQL engine the validation engine and the live tests run queries on: DuckDB (embedded, the
/// local lane's "Athena"), PostgreSQL, MySQL/MariaDB, Athena. An engine never knows which lane it
/// is in; it runs SQL in its dialect.
/// </summary>
public interface IQueryEngine : IAsyncDisposable
{
    /// <summary>The SQL dialect of the engine.</summary>
    SqlDialect Dialect { get; }

    /// <summary>Runs a query and returns its rows (use for small results only).</summary>
    Task<QueryResult> QueryAsync(string sql, CancellationToken cancellationToken);

    /// <summary>Streams the rows of a query one at a time, never holding the whole result.</summary>
    IAsyncEnumerable<object?[]> StreamAsync(string sql, CancellationToken cancellationToken);

    /// <summary>The columns of a relation (a table, a view or a parenthesised query).</summary>
    Task<IReadOnlyList<ColumnSchema>> DescribeAsync(string relation, CancellationToken cancellationToken);
}

/// <summary>A query the engine refused or failed, with the SQL that was sent.</summary>
public sealed class QueryFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public QueryFailedException(string engine, string sql, string message, Exception? innerException = null)
        : base($"{engine}: {message}", innerException)
    {
        Engine = engine;
        Sql = sql;
        EngineMessage = message;
    }

    /// <summary>Creates the exception with a message.</summary>
    public QueryFailedException()
        : this("engine", string.Empty, "The query failed")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public QueryFailedException(string message)
        : this("engine", string.Empty, message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public QueryFailedException(string message, Exception innerException)
        : this("engine", string.Empty, message, innerException)
    {
    }

    /// <summary>The engine's name.</summary>
    public string Engine { get; }

    /// <summary>The SQL that failed.</summary>
    public string Sql { get; }

    /// <summary>The engine's own message.</summary>
    public string EngineMessage { get; }
}
