using System.Data.Common;

namespace GluePipeline.Data;

/// <summary>An engine over an ADO.NET connection (PostgreSQL, MySQL/MariaDB).</summary>
public abstract class AdoQueryEngine(DbConnection connection, SqlDialect dialect, string name) : IQueryEngine
{
    /// <inheritdoc/>
    public SqlDialect Dialect => dialect;

    /// <summary>Opens the engine a URI names (PostgreSQL or MySQL/MariaDB); a refused connection is a <see cref="QueryFailedException"/>.</summary>
    public static async Task<AdoQueryEngine> ConnectAsync(DatabaseUri uri, CancellationToken cancellationToken) =>
        uri.Kind == DatabaseKind.PostgreSql
            ? await PostgresEngine.OpenAsync(uri, cancellationToken)
            : await MySqlEngine.OpenAsync(uri, cancellationToken);

    /// <summary>The open connection, for loading data and streaming.</summary>
    public DbConnection Connection => connection;

    /// <summary>The engine's name for messages.</summary>
    public string Name => name;

    /// <summary>Runs a statement that returns no rows.</summary>
    public async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (DbException ex)
        {
            throw new QueryFailedException(name, sql, ex.Message, ex);
        }
    }

    /// <inheritdoc/>
    public async Task<QueryResult> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        var rows = new List<object?[]>();
        string[] columns = [];
        await foreach (var (names, row) in StreamWithColumnsAsync(sql, cancellationToken))
        {
            columns = names;
            rows.Add(row);
        }

        if (rows.Count == 0)
        {
            columns = (await DescribeQueryAsync(sql, cancellationToken)).Select(c => c.Name).ToArray();
        }

        return new QueryResult(columns, rows);
    }

    /// <summary>Streams the rows of a query one at a time (never the whole result in memory).</summary>
    public async IAsyncEnumerable<object?[]> StreamAsync(string sql, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (_, row) in StreamWithColumnsAsync(sql, cancellationToken))
        {
            yield return row;
        }
    }

    private async IAsyncEnumerable<(string[] Columns, object?[] Row)> StreamWithColumnsAsync(string sql, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        DbDataReader reader;
        try
        {
            reader = await command.ExecuteReaderAsync(cancellationToken);
        }
        catch (DbException ex)
        {
            throw new QueryFailedException(name, sql, ex.Message, ex);
        }

        await using (reader)
        {
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
            while (true)
            {
                bool more;
                try
                {
                    more = await reader.ReadAsync(cancellationToken);
                }
                catch (DbException ex)
                {
                    throw new QueryFailedException(name, sql, ex.Message, ex);
                }

                if (!more)
                {
                    break;
                }

                var values = new object?[reader.FieldCount];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = reader.IsDBNull(i) ? null : Read(reader, i);
                }

                yield return (columns, values);
            }
        }
    }

    /// <summary>Reads a value; engines override for types their driver returns awkwardly.</summary>
    protected virtual object? Read(DbDataReader reader, int ordinal) => reader.GetValue(ordinal);

    /// <inheritdoc/>
    public Task<IReadOnlyList<ColumnSchema>> DescribeAsync(string relation, CancellationToken cancellationToken) =>
        DescribeQueryAsync($"SELECT * FROM {relation}", cancellationToken);

    private async Task<IReadOnlyList<ColumnSchema>> DescribeQueryAsync(string query, CancellationToken cancellationToken)
    {
        var sql = $"SELECT * FROM ({query}) dq_describe WHERE 1 = 0";
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return Enumerable.Range(0, reader.FieldCount).Select(i => new ColumnSchema(reader.GetName(i), reader.GetDataTypeName(i).ToUpperInvariant())).ToArray();
        }
        catch (DbException ex)
        {
            throw new QueryFailedException(name, sql, ex.Message, ex);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await connection.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
