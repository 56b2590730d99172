using System.Data.Common;
using System.Globalization;
using DuckDB.NET.Data;

namespace GluePipeline.Data.Jdbc;

/// <summary>
/// What to read from a database: a table or a query, optionally split into parallel reads as
/// Glue splits them (<c>hashfield</c>: a column hashed into <c>hashpartitions</c> buckets;
/// <c>hashexpression</c>: a whole-number expression cut into ranges).
/// </summary>
/// <param name="Database">The database (with credentials).</param>
/// <param name="Table">The table, or null for a query.</param>
/// <param name="Query">The query, or null for a table.</param>
public sealed record JdbcRead(DatabaseUri Database, JdbcTable? Table, string? Query)
{
    /// <summary>Glue's default number of parallel reads when a hash option is given.</summary>
    public const int DefaultHashPartitions = 7;

    /// <summary>A column whose hash splits the reads, or null.</summary>
    public string? HashField { get; init; }

    /// <summary>A whole-number SQL expression whose ranges split the reads, or null.</summary>
    public string? HashExpression { get; init; }

    /// <summary>How many parallel reads (at least 1).</summary>
    public int HashPartitions { get; init; } = DefaultHashPartitions;

    /// <summary>What is read, for messages (no credentials).</summary>
    public string Describe() => $"{(Table is { } table ? table.ToString() : "a query")} in {Database.WithDatabase(Database.Database) with { Password = null }}";
}

/// <summary>What a read did.</summary>
/// <param name="Rows">Rows read.</param>
/// <param name="Partitions">Parallel reads it took.</param>
/// <param name="Columns">The columns and their DuckDB types.</param>
public sealed record JdbcReadResult(long Rows, int Partitions, IReadOnlyList<ColumnSchema> Columns);

/// <summary>
/// Streams a table or query of PostgreSQL or MySQL/MariaDB into a DuckDB table, row by row through
/// DuckDB's appender (nothing is held in .NET; DuckDB spills to disk under its memory limit).
/// Partitioned reads run in parallel, each on its own connections. Types follow Glue's JDBC mapping
/// (decimals keep precision and scale, timestamps stay timestamps, JSON stays text).
/// </summary>
public static class JdbcReader
{
    /// <summary>Reads into a new DuckDB table.</summary>
    public static async Task<JdbcReadResult> ReadIntoAsync(DuckDBConnection duck, string duckTable, JdbcRead read, CancellationToken cancellationToken)
    {
        if (read.Table is null == read.Query is null)
        {
            throw new ArgumentException("Read a table or a query", nameof(read));
        }

        await using var schemaEngine = await AdoQueryEngine.ConnectAsync(read.Database, cancellationToken);
        var dialect = schemaEngine.Dialect;
        var relation = read.Table is { } table ? table.Render(dialect) : $"({read.Query!.Trim().TrimEnd(';')}) dq_query";
        var columns = await DescribeAsync(schemaEngine, relation, read.Database.Kind, cancellationToken);
        var selectList = string.Join(", ", columns.Select(c => c.TextCast ? $"{TextCast(dialect, c.Name)} AS {dialect.Identifier(c.Name)}" : dialect.Identifier(c.Name)));

        var create = $"CREATE TABLE {SqlDialect.DuckDb.Identifier(duckTable)} ({string.Join(", ", columns.Select(c => $"{SqlDialect.DuckDb.Identifier(c.Name)} {c.DuckType}"))})";
        await using (var command = duck.CreateCommand())
        {
            command.CommandText = create;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var predicates = await PartitionsAsync(schemaEngine, read, relation, cancellationToken);
        var statements = predicates.Select(p => $"SELECT {selectList} FROM {relation}{(p is null ? string.Empty : " WHERE " + p)}").ToArray();
        long rows = 0;
        using var gate = new SemaphoreSlim(Math.Clamp(Environment.ProcessorCount, 2, 8));
        var reads = statements.Select(async sql =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                var count = await ReadOneAsync(duck, duckTable, read.Database, sql, columns, cancellationToken);
                Interlocked.Add(ref rows, count);
            }
            finally
            {
                gate.Release();
            }
        }).ToArray();
        await Task.WhenAll(reads);
        return new JdbcReadResult(rows, statements.Length, columns.Select(c => new ColumnSchema(c.Name, c.DuckType)).ToArray());
    }

    /// <summary>The columns of a table with the DuckDB type each becomes when read (what a JDBC crawler catalogs).</summary>
    public static async Task<IReadOnlyList<ColumnSchema>> ColumnsAsync(AdoQueryEngine engine, JdbcTable table, CancellationToken cancellationToken) =>
        (await DescribeAsync(engine, table.Render(engine.Dialect), engine.Connection is MySqlConnector.MySqlConnection ? DatabaseKind.MySql : DatabaseKind.PostgreSql, cancellationToken))
            .Select(c => new ColumnSchema(c.Name, c.DuckType)).ToArray();

    /// <summary>The columns of a relation with the DuckDB type each becomes.</summary>
    internal static async Task<IReadOnlyList<SourceColumn>> DescribeAsync(AdoQueryEngine engine, string relation, DatabaseKind kind, CancellationToken cancellationToken)
    {
        var sql = $"SELECT * FROM {relation} WHERE 1 = 0";
        await using var command = engine.Connection.CreateCommand();
        command.CommandText = sql;
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return reader.GetColumnSchema().Select(c => SourceTypes.Map(c, kind)).ToArray();
        }
        catch (DbException ex)
        {
            throw new QueryFailedException(engine.Name, sql, ex.Message, ex);
        }
    }

    private static string TextCast(SqlDialect dialect, string column) =>
        dialect.Kind == SqlDialectKind.MySql ? $"CAST({dialect.Identifier(column)} AS CHAR)" : $"CAST({dialect.Identifier(column)} AS text)";

    /// <summary>The WHERE clauses of the parallel reads (one null for a single read).</summary>
    private static async Task<IReadOnlyList<string?>> PartitionsAsync(AdoQueryEngine engine, JdbcRead read, string relation, CancellationToken cancellationToken)
    {
        var n = Math.Max(1, read.HashPartitions);
        if (n == 1 || (read.HashField is null && read.HashExpression is null))
        {
            return [null];
        }

        var dialect = engine.Dialect;
        if (read.HashField is { } field)
        {
            // A stable hash of the column's text, bucketed; NULLs go to the first bucket.
            var column = dialect.Identifier(field);
            var hash = dialect.Kind == SqlDialectKind.MySql
                ? $"MOD(CRC32(CAST({column} AS CHAR)), {n})"
                : $"MOD(ABS(CAST(hashtext(CAST({column} AS text)) AS bigint)), {n})";
            return Enumerable.Range(0, n).Select(i => (string?)(i == 0 ? $"({hash} = 0 OR {column} IS NULL)" : $"{hash} = {i}")).ToArray();
        }

        // Ranges of a whole-number expression between its minimum and maximum, as Spark's JDBC partitioning.
        var expression = read.HashExpression!;
        var bounds = await engine.QueryAsync($"SELECT MIN({expression}), MAX({expression}) FROM {relation}", cancellationToken);
        if (bounds.Rows[0][0] is null)
        {
            return [null];
        }

        var low = Convert.ToDecimal(bounds.Rows[0][0], CultureInfo.InvariantCulture);
        var high = Convert.ToDecimal(bounds.Rows[0][1], CultureInfo.InvariantCulture);
        var stride = Math.Max(1, Math.Ceiling((high - low + 1) / n));
        var cuts = Enumerable.Range(1, n - 1).Select(i => low + (stride * i)).Where(c => c <= high).ToArray();
        var predicates = new List<string?>();
        for (var i = 0; i <= cuts.Length; i++)
        {
            var lower = i == 0 ? null : $"({expression}) >= {cuts[i - 1].ToString(CultureInfo.InvariantCulture)}";
            var upper = i == cuts.Length ? null : $"({expression}) < {cuts[i].ToString(CultureInfo.InvariantCulture)}";
            predicates.Add(i == 0 ? $"({upper ?? "1 = 1"} OR ({expression}) IS NULL)" : upper is null ? lower : $"{lower} AND {upper}");
        }

        return predicates;
    }

    private static async Task<long> ReadOneAsync(DuckDBConnection duck, string duckTable, DatabaseUri database, string sql, IReadOnlyList<SourceColumn> columns, CancellationToken cancellationToken)
    {
        await using var engine = await AdoQueryEngine.ConnectAsync(database, cancellationToken);
        await using var command = engine.Connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        using var connection = duck.Duplicate();
        connection.Open();
        long rows = 0;
        try
        {
            await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
            using var appender = connection.CreateAppender(duckTable);
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = appender.CreateRow();
                for (var i = 0; i < columns.Count; i++)
                {
                    if (await reader.IsDBNullAsync(i, cancellationToken))
                    {
                        row.AppendNullValue();
                    }
                    else
                    {
                        columns[i].Append(reader, i, row);
                    }
                }

                row.EndRow();
                rows++;
            }
        }
        catch (DbException ex)
        {
            throw new QueryFailedException(engine.Name, sql, ex.Message, ex);
        }

        return rows;
    }
}

/// <summary>A column of a database relation and how its values enter DuckDB.</summary>
/// <param name="Name">Its name.</param>
/// <param name="DuckType">The DuckDB type it becomes.</param>
/// <param name="Append">Appends a (non-null) value.</param>
/// <param name="TextCast">Whether the database is asked for its text (types with no exact DuckDB counterpart: arrays, ranges, enums, geometry).</param>
internal sealed record SourceColumn(string Name, string DuckType, Action<DbDataReader, int, IDuckDBAppenderRow> Append, bool TextCast = false);

/// <summary>Database column types to DuckDB types (Glue's JDBC mapping, with exact decimals).</summary>
internal static class SourceTypes
{
    public static SourceColumn Map(DbColumn column, DatabaseKind kind)
    {
        var name = column.ColumnName;
        var typeName = (column.DataTypeName ?? string.Empty).ToLowerInvariant();
        var type = column.DataType;
        if (typeName is "json" or "jsonb")
        {
            return new SourceColumn(name, "JSON", (r, i, row) => row.AppendValue(r.GetString(i)));
        }

        if (type == typeof(bool))
        {
            return new SourceColumn(name, "BOOLEAN", (r, i, row) => row.AppendValue(r.GetBoolean(i)));
        }

        if (type == typeof(sbyte) || type == typeof(byte) || type == typeof(short))
        {
            return new SourceColumn(name, "SMALLINT", (r, i, row) => row.AppendValue(Convert.ToInt16(r.GetValue(i), CultureInfo.InvariantCulture)));
        }

        if (type == typeof(int))
        {
            return new SourceColumn(name, "INTEGER", (r, i, row) => row.AppendValue(r.GetInt32(i)));
        }

        if (type == typeof(ushort))
        {
            return new SourceColumn(name, "INTEGER", (r, i, row) => row.AppendValue(Convert.ToInt32(r.GetValue(i), CultureInfo.InvariantCulture)));
        }

        if (type == typeof(long))
        {
            return new SourceColumn(name, "BIGINT", (r, i, row) => row.AppendValue(r.GetInt64(i)));
        }

        if (type == typeof(uint))
        {
            return new SourceColumn(name, "BIGINT", (r, i, row) => row.AppendValue(Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture)));
        }

        if (type == typeof(ulong))
        {
            return new SourceColumn(name, "DECIMAL(20,0)", (r, i, row) => row.AppendValue(Convert.ToDecimal(r.GetValue(i), CultureInfo.InvariantCulture)));
        }

        if (type == typeof(float))
        {
            return new SourceColumn(name, "FLOAT", (r, i, row) => row.AppendValue(r.GetFloat(i)));
        }

        if (type == typeof(double))
        {
            return new SourceColumn(name, "DOUBLE", (r, i, row) => row.AppendValue(r.GetDouble(i)));
        }

        if (type == typeof(decimal))
        {
            return new SourceColumn(name, DecimalType(column), (r, i, row) => row.AppendValue(r.GetDecimal(i)));
        }

        if (type == typeof(string) || type == typeof(char))
        {
            return new SourceColumn(name, "VARCHAR", (r, i, row) => row.AppendValue(r.GetString(i)));
        }

        if (type == typeof(DateOnly) || (type == typeof(DateTime) && typeName is "date" or "newdate"))
        {
            return new SourceColumn(name, "DATE", (r, i, row) => row.AppendValue(DateOnly.FromDateTime(r.GetDateTime(i))));
        }

        if (type == typeof(DateTimeOffset) || (type == typeof(DateTime) && typeName.Contains("with time zone", StringComparison.Ordinal)) || typeName == "timestamptz")
        {
            return new SourceColumn(name, "TIMESTAMPTZ", (r, i, row) => row.AppendValue(new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc))));
        }

        if (type == typeof(DateTime))
        {
            return new SourceColumn(name, "TIMESTAMP", (r, i, row) => row.AppendValue(DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Unspecified)));
        }

        if (type == typeof(TimeSpan) && typeName == "interval")
        {
            return new SourceColumn(name, "INTERVAL", (r, i, row) => row.AppendValue(r.GetFieldValue<TimeSpan>(i)));
        }

        if (type == typeof(TimeSpan) || type == typeof(TimeOnly))
        {
            return new SourceColumn(name, "TIME", (r, i, row) => row.AppendValue(r.GetValue(i) is TimeOnly time ? time : TimeOnly.FromTimeSpan((TimeSpan)r.GetValue(i))));
        }

        if (type == typeof(Guid))
        {
            return new SourceColumn(name, "UUID", (r, i, row) => row.AppendValue(r.GetGuid(i)));
        }

        if (type == typeof(byte[]))
        {
            return new SourceColumn(name, "BLOB", (r, i, row) => row.AppendValue((byte[])r.GetValue(i)));
        }

        return new SourceColumn(name, "VARCHAR", (r, i, row) => row.AppendValue(r.GetString(i)), TextCast: true);
    }

    /// <summary>DECIMAL(p,s) as declared; an unconstrained numeric becomes DECIMAL(38,18) as on Glue; at most 38 digits.</summary>
    private static string DecimalType(DbColumn column)
    {
        var precision = column.NumericPrecision ?? 0;
        var scale = column.NumericScale ?? 0;
        if (precision <= 0 || precision > 1000)
        {
            return "DECIMAL(38,18)";
        }

        precision = Math.Min(precision, 38);
        scale = Math.Clamp(scale, 0, precision);
        return $"DECIMAL({precision},{scale})";
    }
}
