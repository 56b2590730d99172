using System.Data.Common;
using DuckDB.NET.Data;

namespace GluePipeline.Data;

/// <summary>Settings of an embedded DuckDB.</summary>
/// <param name="DatabasePath">A database file, or null for an in-memory database.</param>
/// <param name="MemoryLimit">DuckDB's memory_limit (e.g. "1GB"), or null for its default (80% of RAM).</param>
/// <param name="Threads">Worker threads, or null for one per core.</param>
/// <param name="TempDirectory">Where DuckDB spills when over the memory limit, or null for its default.</param>
public sealed record DuckDbOptions(string? DatabasePath = null, string? MemoryLimit = null, int? Threads = null, string? TempDirectory = null);

/// <summary>
/// An embedded DuckDB: the local lane's query engine (its "Athena"), the runtime of declarative
/// jobs and the validation engine's file datasets. Time is UTC.
/// </summary>
public sealed class DuckDbEngine : IQueryEngine
{
    private readonly DuckDBConnection _connection;

    private DuckDbEngine(DuckDBConnection connection)
    {
        _connection = connection;
    }

    /// <inheritdoc/>
    public SqlDialect Dialect => SqlDialect.DuckDb;

    /// <summary>The underlying connection, for the job runtime's streaming statements.</summary>
    public DbConnection Connection => _connection;

    /// <summary>Opens a database.</summary>
    public static async Task<DuckDbEngine> OpenAsync(DuckDbOptions? options, CancellationToken cancellationToken)
    {
        options ??= new DuckDbOptions();
        var connection = new DuckDBConnection($"Data Source={options.DatabasePath ?? ":memory:"}");
        await connection.OpenAsync(cancellationToken);
        var engine = new DuckDbEngine(connection);
        await engine.ExecuteAsync("SET TimeZone = 'UTC'", cancellationToken);
        if (options.MemoryLimit is { } limit)
        {
            await engine.ExecuteAsync($"SET memory_limit = '{limit}'", cancellationToken);
        }

        if (options.Threads is { } threads)
        {
            await engine.ExecuteAsync($"SET threads = {threads}", cancellationToken);
        }

        if (options.TempDirectory is { } temp)
        {
            await engine.ExecuteAsync($"SET temp_directory = '{temp.Replace("'", "''", StringComparison.Ordinal)}'", cancellationToken);
        }

        return engine;
    }

    /// <summary>Runs a statement that returns no rows.</summary>
    public async Task<long> ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = sql;
        await using var cancel = cancellationToken.Register(() => command.Cancel());
        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (DuckDBException ex)
        {
            throw new QueryFailedException("duckdb", sql, ex.Message, ex);
        }
    }

    /// <inheritdoc/>
    public async Task<QueryResult> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = sql;
        await using var cancel = cancellationToken.Register(() => command.Cancel());
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
            var rows = new List<object?[]>();
            while (await reader.ReadAsync(cancellationToken))
            {
                var values = new object?[reader.FieldCount];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }

                rows.Add(values);
            }

            return new QueryResult(columns, rows);
        }
        catch (DuckDBException ex)
        {
            throw new QueryFailedException("duckdb", sql, ex.Message, ex);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<object?[]> StreamAsync(string sql, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = sql;
        await using var cancel = cancellationToken.Register(() => command.Cancel());
        DbDataReader reader;
        try
        {
            reader = await command.ExecuteReaderAsync(cancellationToken);
        }
        catch (DuckDBException ex)
        {
            throw new QueryFailedException("duckdb", sql, ex.Message, ex);
        }

        await using (reader)
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var values = new object?[reader.FieldCount];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }

                yield return values;
            }
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ColumnSchema>> DescribeAsync(string relation, CancellationToken cancellationToken)
    {
        var result = await QueryAsync($"DESCRIBE SELECT * FROM {relation}", cancellationToken);
        return result.Rows.Select(r => new ColumnSchema((string)r[0]!, (string)r[1]!)).ToArray();
    }

    /// <summary>Creates (or replaces) a view over files, so SQL can name them.</summary>
    public Task RegisterViewAsync(string name, FileDataset dataset, CancellationToken cancellationToken) =>
        ExecuteAsync($"CREATE OR REPLACE VIEW {Dialect.Identifier(name)} AS SELECT * FROM {dataset.ToDuckDbRelation()}", cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
