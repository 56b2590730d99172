using System.Globalization;
using DuckDB.NET.Data;
using GluePipeline.Data;
using GluePipeline.Data.Jdbc;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Data;

/// <summary>
/// Rows moved between real PostgreSQL and MariaDB through DuckDB (the local runtime's path), checked
/// value by value: decimals keep every digit, timestamps every microsecond, NULLs stay NULL, text
/// keeps unicode, tabs, newlines and backslashes, long text is not cut, bytes are not mangled.
/// </summary>
public sealed class JdbcTransferTests : ScratchDatabases
{
    private static readonly string LongText = string.Concat(Enumerable.Range(0, 20_000).Select(i => (char)('a' + (i % 26)))) + " ünïcödé 🚕 end";

    private DuckDBConnection _duck = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _duck = new DuckDBConnection("Data Source=:memory:");
        await _duck.OpenAsync();
        await using var command = _duck.CreateCommand();
        command.CommandText = "SET TimeZone = 'UTC'";
        await command.ExecuteNonQueryAsync();
    }

    public override async Task DisposeAsync()
    {
        await _duck.DisposeAsync();
        await base.DisposeAsync();
    }

    private DatabaseUri PostgresDb => DatabaseServers.Postgres;

    private DatabaseUri MySqlDb => DatabaseServers.MySql.WithDatabase(Database);

    [SkippableFact]
    public async Task MariaDbToPostgresKeepsEveryValue()
    {
        await MySql.ExecuteAsync(
            """
            CREATE TABLE events (
              id BIGINT PRIMARY KEY, price DECIMAL(12,4), wide DECIMAL(28,10), ratio DOUBLE, qty INT, small TINYINT, flag TINYINT(1),
              created DATETIME(6), day DATE, at TIME(6), name VARCHAR(100), notes LONGTEXT, payload BLOB, doc JSON, big BIGINT UNSIGNED)
            """, CancellationToken.None);
        await MySql.ExecuteAsync(
            $$"""
            INSERT INTO events VALUES
            (1, 12345678.1234, 123456789012345678.0123456789, 0.1, -2147483648, -128, 1, '2024-02-29 23:59:59.999999', '2024-02-29', '23:59:59.999999',
             'Zoë "quoted" \\ back\tslash\nnew line ünï 🚕', '{{LongText}}', X'00FF10275C0A09', '{"a": [1, 2, {"b": null}], "c": "ü"}', 18446744073709551615),
            (2, -0.0001, -99999999999999999.9999999999, -1.5e300, 2147483647, 127, 0, '1970-01-01 00:00:00.000001', '0001-01-01', '00:00:00', '', '', X'', '[]', 0),
            (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
            """, CancellationToken.None);

        var read = await JdbcReader.ReadIntoAsync(_duck, "events", new JdbcRead(MySqlDb, new JdbcTable(null, "events"), null), CancellationToken.None);
        read.Rows.Should().Be(3);
        read.Columns.Select(c => c.Type).Should().StartWith(["BIGINT", "DECIMAL(12,4)", "DECIMAL(28,10)", "DOUBLE", "INTEGER", "SMALLINT", "BOOLEAN", "TIMESTAMP", "DATE", "TIME"]);

        var written = await JdbcWriter.WriteAsync(_duck, "SELECT * FROM events", new JdbcWrite(PostgresDb, new JdbcTable(Schema, "events"), JdbcWriteMode.Overwrite), CancellationToken.None);
        written.Should().Be(new JdbcWriteResult(3, Created: true, Replaced: 0, "binary COPY"));

        var types = await Postgres.QueryAsync($"SELECT column_name, data_type, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_schema = '{Schema}' AND table_name = 'events' ORDER BY ordinal_position", CancellationToken.None);
        types.Rows.Select(r => $"{r[0]} {r[1]}{(r[2] is null || (string)r[1]! != "numeric" ? string.Empty : $"({r[2]},{r[3]})")}").Should().Equal(
            "id bigint", "price numeric(12,4)", "wide numeric(28,10)", "ratio double precision", "qty integer", "small smallint", "flag boolean",
            "created timestamp without time zone", "day date", "at time without time zone", "name text", "notes text", "payload bytea", "doc text", "big numeric(20,0)");
        // MariaDB's JSON is LONGTEXT with a check, so it arrives as text (MySQL 8's JSON arrives as jsonb).

        var source = await Rows(MySql, "SELECT * FROM events ORDER BY id");
        var target = await Rows(Postgres, $"SELECT * FROM {Schema}.events ORDER BY id");
        target.Should().HaveCount(3);
        for (var row = 0; row < source.Count; row++)
        {
            for (var column = 0; column < source[row].Length; column++)
            {
                var (expected, actual) = (source[row][column], target[row][column]);
                actual.Should().Be(expected, $"row {row + 1}, column {column + 1} must arrive unchanged");
            }
        }
    }

    [SkippableFact]
    public async Task PostgresToMariaDbKeepsEveryValue()
    {
        await Postgres.ExecuteAsync(
            $$"""
            CREATE TABLE {{Schema}}.trips (
              id integer PRIMARY KEY, fare numeric(10,2), exact numeric, pickup timestamptz, dropoff timestamp, day date, at time, vendor varchar(20),
              notes text, raw bytea, ref uuid, attrs jsonb, paid boolean, passengers smallint, distance double precision, tip real, tags text[]);
            INSERT INTO {{Schema}}.trips VALUES
              (1, 99999999.99, 1234567890.0123456789, '2016-01-01 00:00:00.123456+00', '2016-12-31 23:59:59.999999', '2016-01-01', '12:34:56.789012', 'Vendör ✓',
               E'tab\there\nline\\back "q" ''s''', E'\\x00ff5c0d0a', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"k": [1, 2.5, "x"]}', true, 32767, 1.0000000000000002, 1.5, ARRAY['a', 'b']),
              (2, -0.01, 0, '1999-12-31 23:00:00+00', '1999-12-31 23:00:00', '1999-12-31', '00:00:00', '', '{{LongText}}', E'\\x', '00000000-0000-0000-0000-000000000000', '{}', false, -32768, -0.0, 0, ARRAY[]::text[]),
              (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
            """, CancellationToken.None);

        var read = await JdbcReader.ReadIntoAsync(_duck, "trips", new JdbcRead(PostgresDb, new JdbcTable(Schema, "trips"), null), CancellationToken.None);
        read.Rows.Should().Be(3);
        read.Columns.Select(c => c.Type).Should().Equal(
            "INTEGER", "DECIMAL(10,2)", "DECIMAL(38,18)", "TIMESTAMPTZ", "TIMESTAMP", "DATE", "TIME", "VARCHAR", "VARCHAR", "BLOB", "UUID", "JSON", "BOOLEAN", "SMALLINT", "DOUBLE", "FLOAT", "VARCHAR");

        var written = await JdbcWriter.WriteAsync(_duck, "SELECT * FROM trips", new JdbcWrite(MySqlDb, new JdbcTable(null, "trips"), JdbcWriteMode.Overwrite), CancellationToken.None);
        written.Rows.Should().Be(3);
        written.Loader.Should().Be("LOAD DATA LOCAL");

        var source = await Rows(Postgres, $"SELECT id, fare, exact, pickup AT TIME ZONE 'UTC', dropoff, day, at, vendor, notes, raw, CAST(ref AS text), paid, passengers, distance, tip, CAST(tags AS text) FROM {Schema}.trips ORDER BY id");
        var target = await Rows(MySql, "SELECT id, fare, exact, pickup, dropoff, day, at, vendor, notes, raw, ref, paid, passengers, distance, tip, tags FROM trips ORDER BY id");
        target.Should().HaveCount(3);
        for (var row = 0; row < source.Count; row++)
        {
            for (var column = 0; column < source[row].Length; column++)
            {
                target[row][column].Should().Be(source[row][column], $"row {row + 1}, column {column + 1} must arrive unchanged");
            }
        }

        var attrs = await MySql.QueryAsync("SELECT attrs FROM trips WHERE id = 1", CancellationToken.None);
        System.Text.Json.JsonDocument.Parse((string)attrs.Rows[0][0]!).RootElement.GetProperty("k")[1].GetDecimal().Should().Be(2.5m);
    }

    [SkippableFact]
    public async Task WritesIntoAnExistingTableByColumnNameAndTypes()
    {
        await MySql.ExecuteAsync("CREATE TABLE target (extra VARCHAR(10) DEFAULT 'kept', amount DECIMAL(8,3), id INT, at DATETIME)", CancellationToken.None);
        await Load("SELECT i AS id, CAST(i AS DOUBLE) / 8 AS amount, TIMESTAMP '2024-01-01 10:00:00' + INTERVAL (i) HOUR AS at FROM range(1, 4) t(i)", "src");

        var written = await JdbcWriter.WriteAsync(_duck, "SELECT * FROM src", new JdbcWrite(MySqlDb, new JdbcTable(Database, "target"), JdbcWriteMode.Append), CancellationToken.None);

        written.Should().Be(new JdbcWriteResult(3, Created: false, Replaced: 0, "LOAD DATA LOCAL"));
        (await Rows(MySql, "SELECT extra, amount, id, at FROM target ORDER BY id")).Select(r => string.Join("|", r)).Should().Equal(
            "kept|0.125|1|" + new DateTime(2024, 1, 1, 11, 0, 0).Ticks, "kept|0.25|2|" + new DateTime(2024, 1, 1, 12, 0, 0).Ticks, "kept|0.375|3|" + new DateTime(2024, 1, 1, 13, 0, 0).Ticks);
    }

    [SkippableFact]
    public async Task OverwriteAppendAndMergeDoWhatTheySay()
    {
        foreach (var target in new[] { (PostgresDb, new JdbcTable(Schema, "modes"), (AdoQueryEngine)Postgres), (MySqlDb, new JdbcTable(null, "modes"), MySql) })
        {
            var (database, table, engine) = target;
            var name = table.Render(engine.Dialect);
            await Load("SELECT i AS id, 'v1-' || i AS value FROM range(1, 6) t(i)", "first");
            (await JdbcWriter.WriteAsync(_duck, "SELECT * FROM first", new JdbcWrite(database, table, JdbcWriteMode.Overwrite), CancellationToken.None)).Rows.Should().Be(5);
            (await JdbcWriter.WriteAsync(_duck, "SELECT * FROM first WHERE id <= 2", new JdbcWrite(database, table, JdbcWriteMode.Overwrite), CancellationToken.None))
                .Should().Be(new JdbcWriteResult(2, Created: false, Replaced: 5, Loader(engine)));
            (await Values(engine, name)).Should().Equal("1=v1-1", "2=v1-2");

            (await JdbcWriter.WriteAsync(_duck, "SELECT * FROM first WHERE id > 3", new JdbcWrite(database, table, JdbcWriteMode.Append), CancellationToken.None)).Replaced.Should().Be(0);
            (await Values(engine, name)).Should().Equal("1=v1-1", "2=v1-2", "4=v1-4", "5=v1-5");

            await Load("SELECT i AS id, 'v2-' || i AS value FROM range(2, 8, 2) t(i)", "second");
            var merged = await JdbcWriter.WriteAsync(_duck, "SELECT * FROM second", new JdbcWrite(database, table, JdbcWriteMode.Merge) { MergeKeys = ["ID"] }, CancellationToken.None);
            merged.Should().Be(new JdbcWriteResult(3, Created: false, Replaced: 2, Loader(engine)), "2 and 4 were there, 6 is new");
            (await Values(engine, name)).Should().Equal("1=v1-1", "2=v2-2", "4=v2-4", "5=v1-5", "6=v2-6");

            var repeat = () => JdbcWriter.WriteAsync(_duck, "SELECT * FROM second UNION ALL SELECT 4, 'again'", new JdbcWrite(database, table, JdbcWriteMode.Merge) { MergeKeys = ["id"] }, CancellationToken.None);
            (await repeat.Should().ThrowAsync<JdbcWriteException>()).Which.Message.Should().Contain("repeats").And.Contain("4 (2 times)");
            var nullKey = () => JdbcWriter.WriteAsync(_duck, "SELECT NULL::BIGINT AS id, 'x' AS value", new JdbcWrite(database, table, JdbcWriteMode.Merge) { MergeKeys = ["id"] }, CancellationToken.None);
            (await nullKey.Should().ThrowAsync<JdbcWriteException>()).Which.Message.Should().Contain("NULL merge key");
            (await Values(engine, name)).Should().Equal(["1=v1-1", "2=v2-2", "4=v2-4", "5=v1-5", "6=v2-6"], "a refused merge changes nothing");

            await DropFirst();
        }
    }

    [SkippableFact]
    public async Task AFailedWriteLeavesTheTableAsItWasAndDropsATableItCreated()
    {
        await Postgres.ExecuteAsync($"CREATE TABLE {Schema}.kept (id integer, value text); INSERT INTO {Schema}.kept VALUES (1, 'before')", CancellationToken.None);
        await MySql.ExecuteAsync("CREATE TABLE kept (id INT, value VARCHAR(6)); INSERT INTO kept VALUES (1, 'before')", CancellationToken.None);

        // PostgreSQL: the 3rd row does not fit an integer, after two rows were already copied.
        var tooBig = () => JdbcWriter.WriteAsync(_duck, "SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3000000000, 'c')) v(id, value)", new JdbcWrite(PostgresDb, new JdbcTable(Schema, "kept"), JdbcWriteMode.Overwrite), CancellationToken.None);
        await tooBig.Should().ThrowAsync<Exception>();
        (await Values(Postgres, $"{Schema}.kept")).Should().Equal("1=before");

        // MariaDB: LOAD DATA would silently cut 'too long' to 6 characters; the warning fails the write.
        var truncated = () => JdbcWriter.WriteAsync(_duck, "SELECT 2 AS id, 'too long' AS value", new JdbcWrite(MySqlDb, new JdbcTable(null, "kept"), JdbcWriteMode.Overwrite), CancellationToken.None);
        (await truncated.Should().ThrowAsync<QueryFailedException>()).Which.Message.Should().Contain("truncated");
        (await Values(MySql, "kept")).Should().Equal("1=before");

        // A table the failed write created is gone again.
        var created = () => JdbcWriter.WriteAsync(_duck, "SELECT i AS id, CAST(CASE WHEN i = 3 THEN 'x' ELSE '1' END AS INTEGER) AS broken FROM range(1, 4) t(i)", new JdbcWrite(MySqlDb, new JdbcTable(null, "fresh"), JdbcWriteMode.Append), CancellationToken.None);
        await created.Should().ThrowAsync<Exception>();
        (await MySql.QueryAsync("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'fresh'", CancellationToken.None)).Rows[0][0].Should().Be(0L);

        var unknown = () => JdbcWriter.WriteAsync(_duck, "SELECT 1 AS id, 'x' AS colour", new JdbcWrite(MySqlDb, new JdbcTable(null, "kept"), JdbcWriteMode.Append), CancellationToken.None);
        (await unknown.Should().ThrowAsync<JdbcWriteException>()).Which.Message.Should().Be("Table kept has no column colour (it has id, value)");
    }

    [SkippableFact]
    public async Task A_table_in_a_schema_that_does_not_exist_yet_is_created_with_its_schema()
    {
        var schema = Schema + "_made";
        try
        {
            var written = await JdbcWriter.WriteAsync(_duck, "SELECT 1 AS id", new JdbcWrite(PostgresDb, new JdbcTable(schema, "t"), JdbcWriteMode.Append), CancellationToken.None);

            written.Created.Should().BeTrue();
            (await Postgres.QueryAsync($"SELECT id FROM {schema}.t", CancellationToken.None)).Rows.Single()[0].Should().Be(1);
        }
        finally
        {
            await Postgres.ExecuteAsync($"DROP SCHEMA IF EXISTS {schema} CASCADE", CancellationToken.None);
        }
    }

    [SkippableFact]
    public async Task ParallelReadsReturnExactlyTheRowsOfOneRead()
    {
        await MySql.ExecuteAsync("CREATE TABLE parts (id INT, grp VARCHAR(10)); INSERT INTO parts SELECT seq, IF(seq % 7 = 0, NULL, CONCAT('g', seq % 13)) FROM seq_1_to_5000; INSERT INTO parts VALUES (NULL, 'nullid')", CancellationToken.None);
        var table = new JdbcTable(null, "parts");

        var single = await JdbcReader.ReadIntoAsync(_duck, "single", new JdbcRead(MySqlDb, table, null), CancellationToken.None);
        var byField = await JdbcReader.ReadIntoAsync(_duck, "by_field", new JdbcRead(MySqlDb, table, null) { HashField = "grp", HashPartitions = 5 }, CancellationToken.None);
        var byExpression = await JdbcReader.ReadIntoAsync(_duck, "by_expression", new JdbcRead(MySqlDb, null, "SELECT * FROM parts WHERE id IS NULL OR id > 10") { HashExpression = "id", HashPartitions = 4 }, CancellationToken.None);

        (single.Rows, byField.Rows, byField.Partitions, byExpression.Rows, byExpression.Partitions).Should().Be((5001L, 5001L, 5, 4991L, 4));
        (await Scalar("SELECT COUNT(*) FROM (SELECT * FROM single EXCEPT ALL SELECT * FROM by_field)")).Should().Be(0L);
        (await Scalar("SELECT COUNT(*) FROM (SELECT * FROM single WHERE id IS NULL OR id > 10 EXCEPT ALL SELECT * FROM by_expression)")).Should().Be(0L);

        await Postgres.ExecuteAsync($"CREATE TABLE {Schema}.parts AS SELECT g AS id, 'g' || (g % 13) AS grp FROM generate_series(1, 3000) g", CancellationToken.None);
        var pg = await JdbcReader.ReadIntoAsync(_duck, "pg_parts", new JdbcRead(PostgresDb, new JdbcTable(Schema, "parts"), null) { HashField = "grp" }, CancellationToken.None);
        (pg.Rows, pg.Partitions).Should().Be((3000L, JdbcRead.DefaultHashPartitions));
    }

    private static string Loader(AdoQueryEngine engine) => engine is PostgresEngine ? "binary COPY" : "LOAD DATA LOCAL";

    private async Task DropFirst()
    {
        await using var command = _duck.CreateCommand();
        command.CommandText = "DROP TABLE IF EXISTS first; DROP TABLE IF EXISTS second";
        await command.ExecuteNonQueryAsync();
    }

    private async Task Load(string sql, string table)
    {
        await using var command = _duck.CreateCommand();
        command.CommandText = $"CREATE OR REPLACE TABLE {table} AS {sql}";
        await command.ExecuteNonQueryAsync();
    }

    private async Task<object?> Scalar(string sql)
    {
        await using var command = _duck.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private static async Task<IReadOnlyList<string>> Values(AdoQueryEngine engine, string table) =>
        (await engine.QueryAsync($"SELECT id, value FROM {table} ORDER BY id", CancellationToken.None)).Rows.Select(r => $"{r[0]}={r[1]}").ToArray();

    /// <summary>Rows with values in one comparable form per kind (numbers as normalised decimals, times as ticks, bytes as hex).</summary>
    private static async Task<List<object?[]>> Rows(AdoQueryEngine engine, string sql) =>
        (await engine.QueryAsync(sql, CancellationToken.None)).Rows.Select(r => r.Select(Normal).ToArray()).ToList();

    private static object? Normal(object? value) => value switch
    {
        null => null,
        bool b => b,
        sbyte or byte or short or ushort or int or uint or long or ulong or decimal => Convert.ToDecimal(value, CultureInfo.InvariantCulture) / 1.000000000000000000000000000000000m,
        float f => (double)f,
        double d => d,
        DateTime t => t.Ticks,
        DateTimeOffset t => t.UtcTicks,
        DateOnly d => d.ToDateTime(TimeOnly.MinValue).Ticks,
        TimeSpan t => t.Ticks,
        TimeOnly t => t.Ticks,
        byte[] bytes => Convert.ToHexString(bytes),
        Guid g => g.ToString(),
        string s => s,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };
}
