using System.Data.Common;
using System.Globalization;
using System.IO.Pipelines;
using System.Numerics;
using System.Text;
using DuckDB.NET.Data;
using MySqlConnector;
using Npgsql;
using NpgsqlTypes;

namespace GluePipeline.Data.Jdbc;

/// <summary>What a JDBC sink does with the rows already in its table.</summary>
public enum JdbcWriteMode
{
    /// <summary>Replace every row (in one transaction: readers see the old rows or the new, never a mix).</summary>
    Overwrite,

    /// <summary>Add the rows.</summary>
    Append,

    /// <summary>Rows whose key is in the table replace it; the others are added (one transaction).</summary>
    Merge,
}

/// <summary>Where and how to write.</summary>
/// <param name="Database">The database (with credentials).</param>
/// <param name="Table">The table; created with mapped types when it does not exist.</param>
/// <param name="Mode">Overwrite, append or merge.</param>
public sealed record JdbcWrite(DatabaseUri Database, JdbcTable Table, JdbcWriteMode Mode)
{
    /// <summary>The key columns of a merge.</summary>
    public IReadOnlyList<string> MergeKeys { get; init; } = [];
}

/// <summary>What a write did.</summary>
/// <param name="Rows">Rows written.</param>
/// <param name="Created">Whether the table was created.</param>
/// <param name="Replaced">Rows already in the table that were replaced (overwrite: deleted; merge: matched by key).</param>
/// <param name="Loader">How the rows went in (binary COPY, LOAD DATA LOCAL, batched INSERT).</param>
public sealed record JdbcWriteResult(long Rows, bool Created, long Replaced, string Loader);

/// <summary>A write the target refused for a reason the user can fix (a column the table lacks, a type it cannot take, duplicate merge keys).</summary>
public sealed class JdbcWriteException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JdbcWriteException(string message, string fix)
        : base(message)
    {
        Fix = fix;
    }

    /// <summary>Creates the exception.</summary>
    public JdbcWriteException()
        : this("The write was refused", "check the target table")
    {
    }

    /// <summary>Creates the exception.</summary>
    public JdbcWriteException(string message)
        : this(message, "check the target table")
    {
    }

    /// <summary>Creates the exception.</summary>
    public JdbcWriteException(string message, Exception innerException)
        : base(message, innerException)
    {
        Fix = "check the target table";
    }

    /// <summary>What to do.</summary>
    public string Fix { get; }
}

/// <summary>
/// Streams the result of a DuckDB query into a PostgreSQL or MySQL/MariaDB table: PostgreSQL by
/// binary COPY, MySQL by <c>LOAD DATA LOCAL INFILE</c> fed from a pipe (batched INSERTs when the
/// server refuses local files). Rows flow through a bounded buffer; no table is held in memory.
/// Every mode runs in one transaction on the target, so a failed write leaves the table as it was
/// (a table this write created is dropped again).
/// </summary>
public static class JdbcWriter
{
    /// <summary>Writes the rows of <paramref name="query"/> (DuckDB SQL).</summary>
    public static async Task<JdbcWriteResult> WriteAsync(DuckDBConnection duck, string query, JdbcWrite write, CancellationToken cancellationToken)
    {
        var output = await DescribeAsync(duck, query, cancellationToken);
        var keys = write.MergeKeys.Select(k => output.FirstOrDefault(o => o.Name.Equals(k, StringComparison.OrdinalIgnoreCase))?.Name
            ?? throw new JdbcWriteException($"Merge key {k} is not a column of the job's output (it has {string.Join(", ", output.Select(o => o.Name))})", "name output columns in mergeKeys")).ToArray();
        if (write.Mode == JdbcWriteMode.Merge && keys.Length == 0)
        {
            throw new JdbcWriteException("A merge needs key columns", "give mergeKeys: [column, ...]");
        }

        await using var engine = await AdoQueryEngine.ConnectAsync(write.Database, cancellationToken);
        var target = engine is PostgresEngine pg ? (Target)new PostgresTarget(pg) : new MySqlTarget((MySqlEngine)engine);
        try
        {
            return await target.WriteAsync(duck, query, output, write, keys, cancellationToken);
        }
        catch (DuckDBException ex)
        {
            // A value the target's column cannot take (the cast fails while streaming), or the query itself.
            throw new QueryFailedException("duckdb", query, ex.Message, ex);
        }
    }

    /// <summary>The columns a DuckDB query returns, with their DuckDB types.</summary>
    internal static async Task<IReadOnlyList<ColumnSchema>> DescribeAsync(DuckDBConnection duck, string query, CancellationToken cancellationToken)
    {
        await using var command = duck.CreateCommand();
        command.CommandText = $"DESCRIBE SELECT * FROM ({query}) dq_out";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = new List<ColumnSchema>();
        while (await reader.ReadAsync(cancellationToken))
        {
            columns.Add(new ColumnSchema(reader.GetString(0), reader.GetString(1)));
        }

        return columns;
    }

    /// <summary>One target column: its database type, the DuckDB type the output is cast to for it, and how a value is written.</summary>
    private sealed record Column(string Name, string DatabaseType, string Transport, Action<DbDataReader, int, NpgsqlBinaryImporter>? Postgres = null);

    private abstract class Target(AdoQueryEngine engine)
    {
        protected AdoQueryEngine Engine => engine;

        protected SqlDialect Dialect => engine.Dialect;

        public async Task<JdbcWriteResult> WriteAsync(DuckDBConnection duck, string query, IReadOnlyList<ColumnSchema> output, JdbcWrite write, IReadOnlyList<string> keys, CancellationToken cancellationToken)
        {
            Database = write.Database;
            TargetTable = write.Table;
            var table = write.Table.Render(Dialect);
            var existing = await ExistingColumnsAsync(write.Table, cancellationToken);
            Column[] columns;
            if (existing.Count > 0)
            {
                columns = output.Select(o =>
                {
                    var match = existing.FirstOrDefault(e => e.Name.Equals(o.Name, StringComparison.OrdinalIgnoreCase))
                        ?? throw new JdbcWriteException($"Table {write.Table} has no column {o.Name} (it has {string.Join(", ", existing.Select(e => e.Name))})", $"add the column to the table, or leave {o.Name} out of the transform's SELECT");
                    return ForExisting(match.Name, match.Type, o);
                }).ToArray();
            }
            else
            {
                columns = output.Select(o => ForNew(o, keys.Contains(o.Name, StringComparer.OrdinalIgnoreCase))).ToArray();
            }

            var select = $"SELECT {string.Join(", ", columns.Select((c, i) => $"{Cast(output[i], c.Transport)} AS {SqlDialect.DuckDb.Identifier(c.Name)}"))} FROM ({query}) dq_out";
            return await LoadAsync(duck, select, table, columns, existing.Count == 0, write.Mode, keys, cancellationToken);
        }

        protected abstract Task<IReadOnlyList<ColumnSchema>> ExistingColumnsAsync(JdbcTable table, CancellationToken cancellationToken);

        protected abstract Column ForExisting(string name, string databaseType, ColumnSchema output);

        protected abstract Column ForNew(ColumnSchema output, bool isKey);

        protected abstract Task<JdbcWriteResult> LoadAsync(DuckDBConnection duck, string select, string table, IReadOnlyList<Column> columns, bool create, JdbcWriteMode mode, IReadOnlyList<string> keys, CancellationToken cancellationToken);

        /// <summary>The database written (for a cleanup connection).</summary>
        protected DatabaseUri Database { get; private set; } = null!;

        /// <summary>The table written.</summary>
        protected JdbcTable TargetTable { get; private set; } = null!;

        protected Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken) => engine.ExecuteAsync(sql, cancellationToken);

        protected string ColumnList(IEnumerable<Column> columns) => string.Join(", ", columns.Select(c => Dialect.Identifier(c.Name)));

        /// <summary>Refuses a merge whose output repeats a key or has a NULL key (which row would win is undefined).</summary>
        protected async Task CheckKeysAsync(string stage, IReadOnlyList<string> keys, CancellationToken cancellationToken)
        {
            var keyList = string.Join(", ", keys.Select(Dialect.Identifier));
            var nulls = await engine.QueryAsync($"SELECT COUNT(*) FROM {stage} WHERE {string.Join(" OR ", keys.Select(k => $"{Dialect.Identifier(k)} IS NULL"))}", cancellationToken);
            if (Convert.ToInt64(nulls.Rows[0][0], CultureInfo.InvariantCulture) is var n and > 0)
            {
                throw new JdbcWriteException($"{n} output row{(n == 1 ? " has" : "s have")} a NULL merge key ({keyList})", "filter rows without a key out in transform.sql, or merge on columns that are never NULL");
            }

            var repeated = await engine.QueryAsync($"SELECT {keyList}, COUNT(*) FROM {stage} GROUP BY {keyList} HAVING COUNT(*) > 1 LIMIT 3", cancellationToken);
            if (repeated.Rows.Count > 0)
            {
                var examples = string.Join("; ", repeated.Rows.Select(r => string.Join(", ", r.Take(keys.Count).Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))) + $" ({r[^1]} times)"));
                throw new JdbcWriteException($"The merge key ({keyList}) repeats in the job's output, e.g. {examples}", "make the key unique in transform.sql (e.g. keep the latest row per key), or merge on more columns");
            }
        }

        protected static string Cast(ColumnSchema output, string transport)
        {
            var column = SqlDialect.DuckDb.Identifier(output.Name);
            if (transport is "JSON" or "VARCHAR")
            {
                // Nested values become their JSON text; a JSON or text output is taken as it is.
                return IsNested(output.Type) ? $"CAST(to_json({column}) AS VARCHAR)" : output.Type == "VARCHAR" ? column : $"CAST({column} AS VARCHAR)";
            }

            return transport == output.Type ? column : $"CAST({column} AS {transport})";
        }

        protected static (string Name, int Precision, int Scale)? Decimal(string type)
        {
            var match = System.Text.RegularExpressions.Regex.Match(type, @"^(?:DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
            return match.Success ? ("DECIMAL", int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)) : null;
        }

        protected static bool IsNested(string duckType) =>
            duckType.EndsWith(']') || duckType.StartsWith("STRUCT", StringComparison.Ordinal) || duckType.StartsWith("MAP", StringComparison.Ordinal) || duckType.StartsWith("UNION", StringComparison.Ordinal);

        protected static DuckDBCommand StreamingCommand(DuckDBConnection duck, string select)
        {
            var command = duck.CreateCommand();
            command.CommandText = select;
            command.UseStreamingMode = true;
            return command;
        }
    }

    private sealed class PostgresTarget(PostgresEngine engine) : Target(engine)
    {
        protected override async Task<IReadOnlyList<ColumnSchema>> ExistingColumnsAsync(JdbcTable table, CancellationToken cancellationToken)
        {
            var name = Dialect.String(table.Render(Dialect));
            var result = await Engine.QueryAsync(
                $"SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = to_regclass({name}) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
                cancellationToken);
            return result.Rows.Select(r => new ColumnSchema((string)r[0]!, (string)r[1]!)).ToArray();
        }

        protected override Column ForNew(ColumnSchema output, bool isKey)
        {
            var type = output.Type;
            var databaseType = type switch
            {
                "BOOLEAN" => "boolean",
                "TINYINT" or "SMALLINT" or "UTINYINT" => "smallint",
                "USMALLINT" or "INTEGER" => "integer",
                "UINTEGER" or "BIGINT" => "bigint",
                "UBIGINT" => "numeric(20,0)",
                "HUGEINT" or "UHUGEINT" => "numeric(38,0)",
                "FLOAT" => "real",
                "DOUBLE" => "double precision",
                "DATE" => "date",
                "TIME" => "time",
                "TIMESTAMP" or "TIMESTAMP_S" or "TIMESTAMP_MS" or "TIMESTAMP_NS" => "timestamp",
                "TIMESTAMP WITH TIME ZONE" => "timestamptz",
                "INTERVAL" => "interval",
                "UUID" => "uuid",
                "BLOB" => "bytea",
                "JSON" => "jsonb",
                _ when Decimal(type) is { } d => $"numeric({d.Precision},{d.Scale})",
                _ when IsNested(type) => "jsonb",
                _ => "text",
            };
            return ForExisting(output.Name, databaseType, output);
        }

        protected override Column ForExisting(string name, string databaseType, ColumnSchema output)
        {
            var type = databaseType.ToLowerInvariant();
            var bare = type.Split('(')[0].Trim();
            return bare switch
            {
                "boolean" => new Column(name, databaseType, "BOOLEAN", (r, i, w) => w.Write(r.GetBoolean(i), NpgsqlDbType.Boolean)),
                "smallint" => new Column(name, databaseType, "SMALLINT", (r, i, w) => w.Write(r.GetInt16(i), NpgsqlDbType.Smallint)),
                "integer" => new Column(name, databaseType, "INTEGER", (r, i, w) => w.Write(r.GetInt32(i), NpgsqlDbType.Integer)),
                "bigint" => new Column(name, databaseType, "BIGINT", (r, i, w) => w.Write(r.GetInt64(i), NpgsqlDbType.Bigint)),
                "real" => new Column(name, databaseType, "FLOAT", (r, i, w) => w.Write(r.GetFloat(i), NpgsqlDbType.Real)),
                "double precision" => new Column(name, databaseType, "DOUBLE", (r, i, w) => w.Write(r.GetDouble(i), NpgsqlDbType.Double)),
                "numeric" => new Column(name, databaseType, NumericTransport(type, output.Type), WriteNumeric),
                "text" or "character varying" or "character" or "citext" or "name" => new Column(name, databaseType, "VARCHAR", (r, i, w) => w.Write(r.GetString(i), NpgsqlDbType.Text)),
                "date" => new Column(name, databaseType, "DATE", (r, i, w) => w.Write(r.GetFieldValue<DateOnly>(i), NpgsqlDbType.Date)),
                "time without time zone" or "time" => new Column(name, databaseType, "TIME", (r, i, w) => w.Write(r.GetFieldValue<TimeOnly>(i), NpgsqlDbType.Time)),
                "timestamp without time zone" or "timestamp" => new Column(name, databaseType, "TIMESTAMP", (r, i, w) => w.Write(DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Unspecified), NpgsqlDbType.Timestamp)),
                "timestamp with time zone" or "timestamptz" => new Column(name, databaseType, "TIMESTAMP WITH TIME ZONE", (r, i, w) => w.Write(DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc), NpgsqlDbType.TimestampTz)),
                "interval" => new Column(name, databaseType, "INTERVAL", (r, i, w) => w.Write(r.GetFieldValue<TimeSpan>(i), NpgsqlDbType.Interval)),
                "uuid" => new Column(name, databaseType, "UUID", (r, i, w) => w.Write(r.GetGuid(i), NpgsqlDbType.Uuid)),
                "bytea" => new Column(name, databaseType, "BLOB", (r, i, w) => w.Write(Bytes(r, i), NpgsqlDbType.Bytea)),
                "jsonb" => new Column(name, databaseType, "JSON", (r, i, w) => w.Write(r.GetString(i), NpgsqlDbType.Jsonb)),
                "json" => new Column(name, databaseType, "JSON", (r, i, w) => w.Write(r.GetString(i), NpgsqlDbType.Json)),
                _ => throw new JdbcWriteException($"Column {name} has type {databaseType}, which the local runtime cannot write", "use a column of a standard type (numeric, text, timestamp, ...), or cast in the database with a view"),
            };
        }

        /// <summary>numeric(p,s) as DECIMAL(p,s); an unconstrained numeric takes the output's own exact type.</summary>
        private static string NumericTransport(string databaseType, string outputType)
        {
            if (Decimal(databaseType) is { } d && d.Precision <= 38)
            {
                return $"DECIMAL({d.Precision},{d.Scale})";
            }

            return Decimal(outputType) is not null || outputType is "TINYINT" or "SMALLINT" or "INTEGER" or "BIGINT" or "HUGEINT" or "UTINYINT" or "USMALLINT" or "UINTEGER" or "UBIGINT"
                ? (outputType.Contains("INT", StringComparison.Ordinal) ? "HUGEINT" : outputType)
                : "DECIMAL(38,10)";
        }

        private static void WriteNumeric(DbDataReader reader, int ordinal, NpgsqlBinaryImporter writer)
        {
            switch (reader.GetValue(ordinal))
            {
                case BigInteger big:
                    writer.Write(big, NpgsqlDbType.Numeric);
                    break;
                case var value:
                    writer.Write(Convert.ToDecimal(value, CultureInfo.InvariantCulture), NpgsqlDbType.Numeric);
                    break;
            }
        }

        protected override async Task<JdbcWriteResult> LoadAsync(DuckDBConnection duck, string select, string table, IReadOnlyList<Column> columns, bool create, JdbcWriteMode mode, IReadOnlyList<string> keys, CancellationToken cancellationToken)
        {
            var connection = engine.Npgsql;
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            try
            {
                if (create)
                {
                    // A schema the table names is made with it (one transaction: a failed write leaves neither).
                    if (TargetTable.Schema is { } schema)
                    {
                        await ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {Dialect.Identifier(schema)}", cancellationToken);
                    }

                    await ExecuteAsync($"CREATE TABLE {table} ({string.Join(", ", columns.Select(c => $"{Dialect.Identifier(c.Name)} {c.DatabaseType}"))})", cancellationToken);
                }

                long replaced = 0;
                var into = table;
                if (mode == JdbcWriteMode.Overwrite && !create)
                {
                    replaced = await ExecuteAsync($"DELETE FROM {table}", cancellationToken);
                }
                else if (mode == JdbcWriteMode.Merge)
                {
                    into = Dialect.Identifier("dq_merge_stage");
                    await ExecuteAsync($"CREATE TEMP TABLE {into} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP", cancellationToken);
                }

                var rows = await CopyAsync(duck, select, into, columns, cancellationToken);
                if (mode == JdbcWriteMode.Merge)
                {
                    await CheckKeysAsync(into, keys, cancellationToken);
                    var on = string.Join(" AND ", keys.Select(k => $"t.{Dialect.Identifier(k)} = s.{Dialect.Identifier(k)}"));
                    replaced = await ExecuteAsync($"DELETE FROM {table} t USING {into} s WHERE {on}", cancellationToken);
                    await ExecuteAsync($"INSERT INTO {table} ({ColumnList(columns)}) SELECT {ColumnList(columns)} FROM {into}", cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                return new JdbcWriteResult(rows, create, replaced, "binary COPY");
            }
            catch
            {
                await RollbackAsync(transaction);
                throw;
            }
        }

        private async Task<long> CopyAsync(DuckDBConnection duck, string select, string into, IReadOnlyList<Column> columns, CancellationToken cancellationToken)
        {
            await using var command = StreamingCommand(duck, select);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var copy = $"COPY {into} ({ColumnList(columns)}) FROM STDIN (FORMAT BINARY)";
            try
            {
                await using var importer = await engine.Npgsql.BeginBinaryImportAsync(copy, cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    await importer.StartRowAsync(cancellationToken);
                    for (var i = 0; i < columns.Count; i++)
                    {
                        if (reader.IsDBNull(i))
                        {
                            importer.WriteNull();
                        }
                        else
                        {
                            columns[i].Postgres!(reader, i, importer);
                        }
                    }
                }

                return (long)await importer.CompleteAsync(cancellationToken);
            }
            catch (PostgresException ex)
            {
                throw new QueryFailedException("postgres", copy, ex.MessageText + (ex.Where is { } where ? $" ({where})" : string.Empty), ex);
            }

        }

        private static async Task RollbackAsync(NpgsqlTransaction transaction)
        {
            try
            {
                await transaction.RollbackAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // The connection broke: the server rolls back on its own.
            }
        }
    }

    private sealed class MySqlTarget(MySqlEngine engine) : Target(engine)
    {
        private const int InsertBatch = 500;

        protected override async Task<IReadOnlyList<ColumnSchema>> ExistingColumnsAsync(JdbcTable table, CancellationToken cancellationToken)
        {
            var schema = table.Schema is { } s ? Dialect.String(s) : "DATABASE()";
            var result = await Engine.QueryAsync(
                $"SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {schema} AND TABLE_NAME = {Dialect.String(table.Name)} ORDER BY ORDINAL_POSITION",
                cancellationToken);
            return result.Rows.Select(r => new ColumnSchema(Convert.ToString(r[0], CultureInfo.InvariantCulture)!, Convert.ToString(r[1], CultureInfo.InvariantCulture)!)).ToArray();
        }

        protected override Column ForNew(ColumnSchema output, bool isKey)
        {
            var type = output.Type;
            var databaseType = type switch
            {
                "BOOLEAN" => "BOOLEAN",
                "TINYINT" or "SMALLINT" or "UTINYINT" => "SMALLINT",
                "USMALLINT" or "INTEGER" => "INT",
                "UINTEGER" or "BIGINT" => "BIGINT",
                "UBIGINT" => "BIGINT UNSIGNED",
                "HUGEINT" or "UHUGEINT" => "DECIMAL(38,0)",
                "FLOAT" => "FLOAT",
                "DOUBLE" => "DOUBLE",
                "DATE" => "DATE",
                "TIME" => "TIME(6)",
                "TIMESTAMP" or "TIMESTAMP_S" or "TIMESTAMP_MS" or "TIMESTAMP_NS" or "TIMESTAMP WITH TIME ZONE" => "DATETIME(6)",
                "UUID" => "CHAR(36)",
                "BLOB" => "LONGBLOB",
                "JSON" => "JSON",
                _ when Decimal(type) is { } d => $"DECIMAL({d.Precision},{d.Scale})",
                _ when IsNested(type) => "JSON",

                // A key must be indexable, so it gets a bounded VARCHAR; other text can be long.
                _ => isKey ? "VARCHAR(255)" : "LONGTEXT",
            };
            return ForExisting(output.Name, databaseType, output);
        }

        protected override Column ForExisting(string name, string databaseType, ColumnSchema output)
        {
            var type = databaseType.ToLowerInvariant();
            var bare = type.Split('(', ' ')[0];
            var transport = bare switch
            {
                "tinyint" when type.StartsWith("tinyint(1)", StringComparison.Ordinal) => "BOOLEAN",
                "boolean" or "bool" or "bit" when !type.Contains("bit(", StringComparison.Ordinal) || type.StartsWith("bit(1)", StringComparison.Ordinal) => "BOOLEAN",
                "tinyint" or "smallint" or "mediumint" or "int" or "integer" or "year" => "BIGINT",
                "bigint" => type.Contains("unsigned", StringComparison.Ordinal) ? "UBIGINT" : "BIGINT",
                "decimal" or "numeric" or "dec" or "fixed" => Decimal(type) is { } d ? $"DECIMAL({Math.Min(d.Precision, 38)},{Math.Min(d.Scale, Math.Min(d.Precision, 38))})" : "DECIMAL(18,0)",
                "float" or "double" or "real" => "DOUBLE",
                "date" => "DATE",
                "datetime" or "timestamp" => "TIMESTAMP",
                "time" => "TIME",
                "json" => "JSON",
                "binary" or "varbinary" or "tinyblob" or "blob" or "mediumblob" or "longblob" => "BLOB",
                "char" or "varchar" or "tinytext" or "text" or "mediumtext" or "longtext" or "enum" or "set" => "VARCHAR",
                _ => throw new JdbcWriteException($"Column {name} has type {databaseType}, which the local runtime cannot write", "use a column of a standard type (DECIMAL, VARCHAR, DATETIME, ...)"),
            };
            return new Column(name, databaseType, transport);
        }

        protected override async Task<JdbcWriteResult> LoadAsync(DuckDBConnection duck, string select, string table, IReadOnlyList<Column> columns, bool create, JdbcWriteMode mode, IReadOnlyList<string> keys, CancellationToken cancellationToken)
        {
            // DDL commits implicitly in MySQL: a table created here is dropped again if the write fails.
            if (create)
            {
                await ExecuteAsync($"CREATE TABLE {table} ({string.Join(", ", columns.Select(c => $"{Dialect.Identifier(c.Name)} {c.DatabaseType}"))}) DEFAULT CHARSET = utf8mb4", cancellationToken);
            }

            var stage = Dialect.Identifier("dq_merge_stage");
            try
            {
                await ExecuteAsync("START TRANSACTION", cancellationToken);
                long replaced = 0;
                var into = table;
                if (mode == JdbcWriteMode.Overwrite && !create)
                {
                    replaced = await ExecuteAsync($"DELETE FROM {table}", cancellationToken);
                }
                else if (mode == JdbcWriteMode.Merge)
                {
                    into = stage;
                    await ExecuteAsync($"DROP TEMPORARY TABLE IF EXISTS {stage}", cancellationToken);
                    await ExecuteAsync($"CREATE TEMPORARY TABLE {stage} LIKE {table}", cancellationToken);
                }

                var (rows, loader) = await LoadRowsAsync(duck, select, into, columns, cancellationToken);
                if (mode == JdbcWriteMode.Merge)
                {
                    await CheckKeysAsync(stage, keys, cancellationToken);
                    var on = string.Join(" AND ", keys.Select(k => $"t.{Dialect.Identifier(k)} = s.{Dialect.Identifier(k)}"));
                    replaced = await ExecuteAsync($"DELETE t FROM {table} t JOIN {stage} s ON {on}", cancellationToken);
                    await ExecuteAsync($"INSERT INTO {table} ({ColumnList(columns)}) SELECT {ColumnList(columns)} FROM {stage}", cancellationToken);
                    await ExecuteAsync($"DROP TEMPORARY TABLE {stage}", cancellationToken);
                }

                await ExecuteAsync("COMMIT", cancellationToken);
                return new JdbcWriteResult(rows, create, replaced, loader);
            }
            catch
            {
                // Roll back what the transaction holds (its metadata locks would keep DROP and ALTER waiting), then
                // take the connection out of the pool: after a broken LOAD its state is unknown. A table this write
                // created is dropped from a fresh connection.
                try
                {
                    await ExecuteAsync("ROLLBACK", CancellationToken.None);
                }
                catch (Exception ex) when (ex is QueryFailedException or MySqlException or InvalidOperationException or IOException)
                {
                    // The connection is broken; the server rolls back when it sees it close.
                }

                await engine.MySql.CloseAsync();
                await MySqlConnection.ClearPoolAsync(engine.MySql, CancellationToken.None);
                if (create)
                {
                    await using var cleanup = await AdoQueryEngine.ConnectAsync(Database, CancellationToken.None);
                    await cleanup.ExecuteAsync($"DROP TABLE IF EXISTS {table}", CancellationToken.None);
                }

                throw;
            }
        }

        /// <summary>LOAD DATA LOCAL INFILE from a pipe when the server allows local files, else batched INSERTs.</summary>
        private async Task<(long Rows, string Loader)> LoadRowsAsync(DuckDBConnection duck, string select, string into, IReadOnlyList<Column> columns, CancellationToken cancellationToken)
        {
            var localInfile = await Engine.QueryAsync("SELECT @@local_infile", cancellationToken);
            if (Convert.ToInt64(localInfile.Rows[0][0], CultureInfo.InvariantCulture) == 1)
            {
                return (await LoadDataAsync(duck, select, into, columns, cancellationToken), "LOAD DATA LOCAL");
            }

            return (await InsertAsync(duck, select, into, columns, cancellationToken), "batched INSERT (the server has local_infile off)");
        }

        private async Task<long> LoadDataAsync(DuckDBConnection duck, string select, string into, IReadOnlyList<Column> columns, CancellationToken cancellationToken)
        {
            var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Exception? failed = null;
            var producer = Task.Run(
                async () =>
                {
                    try
                    {
                        await using var command = StreamingCommand(duck, select);
                        await using var reader = await command.ExecuteReaderAsync(stop.Token);
                        var line = new StringBuilder();
                        while (await reader.ReadAsync(stop.Token))
                        {
                            line.Clear();
                            for (var i = 0; i < columns.Count; i++)
                            {
                                if (i > 0)
                                {
                                    line.Append('\t');
                                }

                                AppendField(line, reader, i);
                            }

                            line.Append('\n');
                            Write(pipe.Writer, line);
                            if (pipe.Writer.UnflushedBytes > 64 * 1024)
                            {
                                var flushed = await pipe.Writer.FlushAsync(stop.Token);
                                if (flushed.IsCompleted)
                                {
                                    break;
                                }
                            }
                        }

                        await pipe.Writer.CompleteAsync();
                    }
                    catch (Exception ex)
                    {
                        failed = ex;
                        await pipe.Writer.CompleteAsync(ex);
                    }
                },
                CancellationToken.None);

            var loader = new MySqlBulkLoader(engine.MySql)
            {
                TableName = into,
                Local = true,
                SourceStream = pipe.Reader.AsStream(),
                FieldTerminator = "\t",
                LineTerminator = "\n",
                EscapeCharacter = '\\',
                CharacterSet = "utf8mb4",
                Timeout = 0,
            };
            for (var i = 0; i < columns.Count; i++)
            {
                if (columns[i].Transport == "BLOB")
                {
                    loader.Columns.Add($"@dq_hex{i}");
                    loader.Expressions.Add($"{Dialect.Identifier(columns[i].Name)} = UNHEX(@dq_hex{i})");
                }
                else
                {
                    loader.Columns.Add(Dialect.Identifier(columns[i].Name));
                }
            }

            int loaded;
            try
            {
                loaded = await loader.LoadAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is MySqlException or DuckDBException or IOException or InvalidOperationException)
            {
                // The root cause is the producer's when it failed (a value DuckDB could not cast), else the server's.
                await stop.CancelAsync();
                await producer;
                var cause = failed ?? ex;
                if (cause is DuckDBException duckError)
                {
                    throw new QueryFailedException("duckdb", select, duckError.Message, duckError);
                }

                throw new QueryFailedException("mysql", $"LOAD DATA LOCAL INFILE INTO {into}", cause.Message, cause);
            }
            finally
            {
                await pipe.Reader.CompleteAsync();
            }

            await producer;
            await FailOnWarningsAsync(into, cancellationToken);
            return loaded;
        }

        /// <summary>LOAD DATA LOCAL turns bad values into warnings (a truncated string, an out-of-range number): any is a failure.</summary>
        private async Task FailOnWarningsAsync(string into, CancellationToken cancellationToken)
        {
            await using var command = engine.MySql.CreateCommand();
            command.CommandText = "SHOW WARNINGS LIMIT 3";
            var messages = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    messages.Add(reader.GetString(2));
                }
            }

            if (messages.Count > 0)
            {
                throw new QueryFailedException("mysql", $"LOAD DATA LOCAL INFILE INTO {into}", $"the server changed or refused values while loading: {string.Join("; ", messages)}");
            }
        }

        private async Task<long> InsertAsync(DuckDBConnection duck, string select, string into, IReadOnlyList<Column> columns, CancellationToken cancellationToken)
        {
            await using var command = StreamingCommand(duck, select);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            long rows = 0;
            var batch = new List<object?[]>(InsertBatch);
            async Task FlushAsync()
            {
                if (batch.Count == 0)
                {
                    return;
                }

                await using var insert = engine.MySql.CreateCommand();
                var values = new StringBuilder();
                for (var r = 0; r < batch.Count; r++)
                {
                    values.Append(r == 0 ? "(" : ", (");
                    for (var c = 0; c < columns.Count; c++)
                    {
                        var parameter = $"@p{r}_{c}";
                        values.Append(c == 0 ? parameter : ", " + parameter);
                        insert.Parameters.AddWithValue(parameter, batch[r][c] ?? DBNull.Value);
                    }

                    values.Append(')');
                }

                insert.CommandText = $"INSERT INTO {into} ({ColumnList(columns)}) VALUES {values}";
                insert.CommandTimeout = 0;
                try
                {
                    rows += await insert.ExecuteNonQueryAsync(cancellationToken);
                }
                catch (MySqlException ex)
                {
                    throw new QueryFailedException("mysql", $"INSERT INTO {into}", ex.Message, ex);
                }

                batch.Clear();
            }

            while (await reader.ReadAsync(cancellationToken))
            {
                var row = new object?[columns.Count];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i) switch
                    {
                        Stream stream => Bytes(stream),
                        BigInteger big => big.ToString(CultureInfo.InvariantCulture),
                        var value => value,
                    };
                }

                batch.Add(row);
                if (batch.Count == InsertBatch)
                {
                    await FlushAsync();
                }
            }

            await FlushAsync();
            return rows;
        }

        private static void Write(PipeWriter writer, StringBuilder line)
        {
            foreach (var chunk in line.GetChunks())
            {
                var bytes = Encoding.UTF8.GetByteCount(chunk.Span);
                var span = writer.GetSpan(bytes);
                Encoding.UTF8.GetBytes(chunk.Span, span);
                writer.Advance(bytes);
            }
        }

        /// <summary>A field of LOAD DATA's default text format: \N for NULL; backslash, tab, newline, carriage return and NUL escaped.</summary>
        private static void AppendField(StringBuilder line, DbDataReader reader, int ordinal)
        {
            if (reader.IsDBNull(ordinal))
            {
                line.Append("\\N");
                return;
            }

            switch (reader.GetValue(ordinal))
            {
                case string text:
                    Escape(line, text);
                    break;
                case bool flag:
                    line.Append(flag ? '1' : '0');
                    break;
                case decimal number:
                    line.Append(number.ToString(CultureInfo.InvariantCulture));
                    break;
                case double number:
                    line.Append(number.ToString("R", CultureInfo.InvariantCulture));
                    break;
                case float number:
                    line.Append(number.ToString("R", CultureInfo.InvariantCulture));
                    break;
                case DateTime time:
                    line.Append(time.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture));
                    break;
                case DateOnly date:
                    line.Append(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    break;
                case TimeOnly time:
                    line.Append(time.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture));
                    break;
                case Guid guid:
                    line.Append(guid.ToString("D"));
                    break;
                case Stream stream:
                    // Bytes travel as hex (the column is loaded through UNHEX), so no byte is mangled by the text format.
                    line.Append(Convert.ToHexString(Bytes(stream)));
                    break;
                case byte[] bytes:
                    line.Append(Convert.ToHexString(bytes));
                    break;
                case IFormattable formattable:
                    line.Append(formattable.ToString(null, CultureInfo.InvariantCulture));
                    break;
                case var other:
                    Escape(line, Convert.ToString(other, CultureInfo.InvariantCulture) ?? string.Empty);
                    break;
            }
        }

        private static void Escape(StringBuilder line, string text)
        {
            foreach (var c in text)
            {
                switch (c)
                {
                    case '\\':
                        line.Append("\\\\");
                        break;
                    case '\t':
                        line.Append("\\t");
                        break;
                    case '\n':
                        line.Append("\\n");
                        break;
                    case '\r':
                        line.Append("\\r");
                        break;
                    case '\0':
                        line.Append("\\0");
                        break;
                    default:
                        line.Append(c);
                        break;
                }
            }
        }
    }

    private static byte[] Bytes(DbDataReader reader, int ordinal) =>
        reader.GetValue(ordinal) switch
        {
            byte[] bytes => bytes,
            Stream stream => Bytes(stream),
            var other => throw new InvalidCastException($"{other?.GetType().Name} is not binary"),
        };

    private static byte[] Bytes(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
