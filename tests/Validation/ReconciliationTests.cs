using GluePipeline.Data;
using GluePipeline.Tests.Support;
using GluePipeline.Validation.Assertions;
using GluePipeline.Validation.Reconciliation;
using Xunit.Sdk;

namespace GluePipeline.Tests.Validation;

/// <summary>
/// The same orders written with each engine's own types: DuckDB DECIMAL(10,2) and microsecond
/// TIMESTAMP; PostgreSQL NUMERIC(14,4), TIMESTAMPTZ and CHAR(12); MariaDB DOUBLE, DATETIME(3) and
/// CHAR(12) - the differences a Glue job moving MySQL to PostgreSQL actually produces.
/// </summary>
public sealed class ReconciliationFixture : DatabaseFixture
{
    protected override async Task LoadDuckDbAsync(DuckDbEngine duckDb)
    {
        var none = CancellationToken.None;
        await duckDb.ExecuteAsync("CREATE TABLE orders (id INTEGER, customer VARCHAR, amount DECIMAL(10,2), ratio DOUBLE, placed TIMESTAMP, day DATE)", none);
        await duckDb.ExecuteAsync(
            """
            INSERT INTO orders VALUES
              (1, 'alice', 12.50, 0.1, TIMESTAMP '2026-11-27 10:15:30.123456', DATE '2026-11-27'),
              (2, 'bob', 7.00, 0.2, TIMESTAMP '2026-11-27 11:00:00', DATE '2026-11-27'),
              (3, 'carol', 99.99, 0.30000000000000004, TIMESTAMP '2026-11-26 23:59:59.999', DATE '2026-11-26'),
              (4, NULL, 0.01, NULL, NULL, NULL),
              (5, 'alice', 12.50, 0.1, TIMESTAMP '2026-11-27 10:15:30.123456', DATE '2026-11-27')
            """,
            none);

        // Variants of the same table, for deliberately different data.
        await duckDb.ExecuteAsync("CREATE TABLE one_cent_off AS SELECT * REPLACE (CASE WHEN id = 3 THEN 99.98 ELSE amount END AS amount) FROM orders", none);
        await duckDb.ExecuteAsync("CREATE TABLE row_missing AS SELECT * FROM orders WHERE id <> 2", none);
        await duckDb.ExecuteAsync("CREATE TABLE names_swapped AS SELECT * REPLACE (CASE id WHEN 1 THEN 'bob' WHEN 2 THEN 'alice' ELSE customer END AS customer) FROM orders", none);
        await duckDb.ExecuteAsync("CREATE TABLE later AS SELECT * REPLACE (CASE WHEN id = 2 THEN placed + INTERVAL 1 SECOND ELSE placed END AS placed) FROM orders", none);
        await duckDb.ExecuteAsync("CREATE TABLE duplicates_moved AS SELECT * REPLACE (CASE WHEN id = 5 THEN 'bob' ELSE customer END AS customer, CASE WHEN id = 5 THEN 7.00 ELSE amount END AS amount, CASE WHEN id = 5 THEN 0.2 ELSE ratio END AS ratio) FROM orders", none);
        await duckDb.ExecuteAsync("CREATE TABLE padded AS SELECT * REPLACE (customer || '   ' AS customer) FROM orders", none);
    }

    protected override async Task LoadPostgresAsync(PostgresEngine postgres, string schema)
    {
        var none = CancellationToken.None;
        await postgres.ExecuteAsync("SET TIME ZONE 'Europe/Berlin'", none);
        await postgres.ExecuteAsync($"CREATE TABLE {schema}.orders (order_id BIGINT, customer CHAR(12), amount NUMERIC(14,4), ratio DOUBLE PRECISION, placed TIMESTAMPTZ, day DATE)", none);
        await postgres.ExecuteAsync(
            $"""
            INSERT INTO {schema}.orders VALUES
              (5, 'alice', 12.5, 0.1, '2026-11-27 11:15:30.123456+01', '2026-11-27'),
              (3, 'carol', 99.9900, 0.30000000000000004, '2026-11-26 23:59:59.999+00', '2026-11-26'),
              (1, 'alice', 12.5000, 0.1, '2026-11-27 10:15:30.123456Z', '2026-11-27'),
              (4, NULL, 0.0100, NULL, NULL, NULL),
              (2, 'bob', 7, 0.2, '2026-11-27 06:00:00-05', '2026-11-27')
            """,
            none);
    }

    protected override async Task LoadMySqlAsync(MySqlEngine mysql)
    {
        var none = CancellationToken.None;
        await mysql.ExecuteAsync("CREATE TABLE orders (id INT, customer CHAR(12), amount DOUBLE, ratio DOUBLE, placed DATETIME(3), day DATE)", none);
        await mysql.ExecuteAsync(
            """
            INSERT INTO orders VALUES
              (2, 'bob', 7, 0.2, '2026-11-27 11:00:00', '2026-11-27'),
              (1, 'alice', 12.5, 0.1, '2026-11-27 10:15:30.123', '2026-11-27'),
              (4, NULL, 0.01, NULL, NULL, NULL),
              (3, 'carol', 99.99, 0.30000000000000004, '2026-11-26 23:59:59.999', '2026-11-26'),
              (5, 'alice', 12.5, 0.1, '2026-11-27 10:15:30.123', '2026-11-27')
            """,
            none);
    }
}

public sealed class ReconciliationTests(ReconciliationFixture fixture) : IClassFixture<ReconciliationFixture>
{
    private static readonly ReconciliationOptions ToPostgres = new(ColumnMap: new Dictionary<string, string> { ["id"] = "order_id" });

    private Task<ReconciliationResult> Compare(string source, string target, ReconciliationOptions? options = null) =>
        Reconciler.CompareAsync(fixture.DuckDb, source, fixture.DuckDb, target, options, CancellationToken.None);

    [Fact]
    public async Task A_table_matches_itself()
    {
        var result = await Compare("orders", "orders");

        result.Should().Match();
        result.Source.Rows.Should().Be(5);
        result.Source.Columns.Single(c => c.Name == "amount").Sum.Should().Be(132.00m);
        result.Source.Columns.Single(c => c.Name == "customer").NonNull.Should().Be(4);
    }

    [Fact]
    public async Task One_cent_on_one_row_is_a_difference_in_that_column()
    {
        var result = await Compare("orders", "one_cent_off");

        result.Should().NotMatch();
        result.Differences.Should().Equal("amount: sum: source 132, target 131.99", "amount: range: source [0.01 .. 99.99], target [0.01 .. 99.98]");
    }

    [Fact]
    public async Task A_missing_row_is_reported_as_a_row_count()
    {
        var result = await Compare("orders", "row_missing");

        result.Differences.Should().Contain("row count: source 5, target 4");
    }

    [Fact]
    public async Task Values_swapped_between_rows_are_caught_by_the_row_checksum()
    {
        var result = await Compare("orders", "names_swapped");

        result.Differences.Should().ContainSingle().Which.Should().StartWith("the rows differ");
    }

    [Fact]
    public async Task A_timestamp_one_second_later_is_a_difference()
    {
        var result = await Compare("orders", "later");

        result.Should().NotMatch();
        result.Differences.Should().ContainSingle().Which.Should().StartWith("placed: range:");
    }

    [Fact]
    public async Task A_duplicate_that_becomes_another_row_keeps_counts_but_not_the_checksum()
    {
        // Source: alice, bob, carol, NULL, alice. Target: alice, bob, carol, NULL, bob.
        var result = await Compare("orders", "duplicates_moved");

        result.Should().NotMatch();
        result.Differences.Should().Contain(d => d.StartsWith("customer:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Trailing_spaces_are_ignored_unless_asked_not_to()
    {
        (await Compare("orders", "padded")).Should().Match();
        (await Compare("orders", "padded", new ReconciliationOptions(TrimTrailingSpaces: false))).Should().NotMatch();
    }

    [Fact]
    public async Task Columns_can_be_chosen_ignored_and_renamed()
    {
        (await Compare("orders", "one_cent_off", new ReconciliationOptions(Ignore: ["amount"]))).Should().Match();
        (await Compare("orders", "one_cent_off", new ReconciliationOptions(Columns: ["id", "customer"]))).Should().Match();
        (await Compare("orders", "(SELECT id AS order_id, customer FROM orders)", new ReconciliationOptions(Columns: ["id", "customer"], ColumnMap: new Dictionary<string, string> { ["id"] = "order_id" })))
            .Should().Match();
    }

    [Fact]
    public async Task A_column_the_target_lacks_is_named_in_the_error()
    {
        var act = () => Compare("orders", "(SELECT id FROM orders)");

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*has no column customer*");
    }

    [Fact]
    public async Task The_failure_message_lists_every_difference()
    {
        var result = await Compare("orders", "one_cent_off");

        var act = () => result.Should().Match();

        act.Should().Throw<XunitException>().WithMessage("Expected orders (5 rows) and one_cent_off (5 rows) to hold the same data, but:\n  amount: sum: source 132, target 131.99\n  amount: range: *");
    }

    [SkippableFact]
    public async Task DuckDB_and_PostgreSQL_hold_the_same_orders_despite_types_zones_order_and_padding()
    {
        fixture.RequireDatabases();

        var result = await Reconciler.CompareAsync(fixture.DuckDb, "orders", fixture.Postgres!, $"{fixture.PostgresSchema}.orders", ToPostgres, CancellationToken.None);

        result.Should().Match();
    }

    [SkippableFact]
    public async Task DuckDB_and_MariaDB_hold_the_same_orders_at_millisecond_precision()
    {
        fixture.RequireDatabases();

        var result = await Reconciler.CompareAsync(fixture.DuckDb, "orders", fixture.MySql!, "orders", null, CancellationToken.None);

        result.Should().Match();
    }

    [SkippableFact]
    public async Task MariaDB_and_PostgreSQL_hold_the_same_orders()
    {
        fixture.RequireDatabases();

        var result = await Reconciler.CompareAsync(fixture.MySql!, "orders", fixture.Postgres!, $"{fixture.PostgresSchema}.orders", ToPostgres, CancellationToken.None);

        result.Should().Match();
    }

    [SkippableFact]
    public async Task Microseconds_count_when_the_precision_asks_for_them()
    {
        fixture.RequireDatabases();

        var micro = new ReconciliationOptions(TimestampPrecision: TimeSpan.FromTicks(10));
        (await Reconciler.CompareAsync(fixture.DuckDb, "orders", fixture.Postgres!, $"{fixture.PostgresSchema}.orders", micro with { ColumnMap = ToPostgres.ColumnMap }, CancellationToken.None))
            .Should().Match();
        var result = await Reconciler.CompareAsync(fixture.DuckDb, "orders", fixture.MySql!, "orders", micro, CancellationToken.None);
        result.Should().NotMatch();
        result.Differences.Should().ContainSingle().Which.Should().StartWith("placed:");
    }

    [SkippableFact]
    public async Task A_changed_row_in_PostgreSQL_is_found_across_engines()
    {
        fixture.RequireDatabases();

        var changed = $"(SELECT order_id, customer, CASE WHEN order_id = 4 THEN 0.02 ELSE amount END AS amount, ratio, placed, day FROM {fixture.PostgresSchema}.orders) changed";
        var result = await Reconciler.CompareAsync(fixture.DuckDb, "orders", fixture.Postgres!, changed, ToPostgres, CancellationToken.None);

        result.Differences.Should().Equal("amount: sum: source 132, target 132.01", "amount: range: source [0.01 .. 99.99], target [0.02 .. 99.99]");
    }
}

/// <summary>How single values are normalised, independent of any engine.</summary>
public sealed class NormalisationTests
{
    private static readonly ReconciliationOptions Defaults = new();

    [Theory]
    [InlineData(12.5, "DOUBLE")]
    [InlineData(12.50, "DECIMAL(10,2)")]
    public void Decimal_scale_and_binary_floating_point_agree(double value, string type)
    {
        Reconciler.Normalise(value, type, Defaults).Should().Be("12.5");
        Reconciler.Normalise(12.5000m, "NUMERIC", Defaults).Should().Be("12.5");
    }

    [Fact]
    public void Floating_point_noise_below_the_significant_digits_is_ignored()
    {
        Reconciler.Normalise(0.1 + 0.2, "DOUBLE", Defaults).Should().Be(Reconciler.Normalise(0.3, "DOUBLE", Defaults));
        Reconciler.Normalise(0.3001, "DOUBLE", Defaults).Should().NotBe(Reconciler.Normalise(0.3, "DOUBLE", Defaults));
    }

    [Fact]
    public void Timestamps_compare_as_instants_in_UTC()
    {
        var utc = new DateTime(2026, 11, 27, 10, 0, 0, DateTimeKind.Utc);
        var berlin = new DateTimeOffset(2026, 11, 27, 11, 0, 0, TimeSpan.FromHours(1));
        var naive = new DateTime(2026, 11, 27, 10, 0, 0, DateTimeKind.Unspecified);

        Reconciler.Normalise(berlin, "TIMESTAMPTZ", Defaults).Should().Be(Reconciler.Normalise(utc, "TIMESTAMP", Defaults));
        Reconciler.Normalise(naive, "TIMESTAMP", Defaults).Should().Be(Reconciler.Normalise(utc, "TIMESTAMP", Defaults));
    }

    [Fact]
    public void Timestamps_are_truncated_to_the_precision()
    {
        var micro = new DateTime(2026, 11, 27, 10, 0, 0, DateTimeKind.Utc).AddTicks(1_234_567);
        var milli = new DateTime(2026, 11, 27, 10, 0, 0, DateTimeKind.Utc).AddTicks(1_230_000);

        Reconciler.Normalise(micro, "TIMESTAMP", Defaults).Should().Be(Reconciler.Normalise(milli, "DATETIME(3)", Defaults));
        Reconciler.Normalise(micro, "TIMESTAMP", new ReconciliationOptions(TimestampPrecision: TimeSpan.FromTicks(10))).Should().EndWith(":00.123456");
    }

    [Fact]
    public void Dates_compare_as_dates_whatever_the_driver_returns()
    {
        Reconciler.Normalise(new DateOnly(2026, 11, 27), "DATE", Defaults).Should().Be("2026-11-27");
        Reconciler.Normalise(new DateTime(2026, 11, 27), "DATE", Defaults).Should().Be("2026-11-27");
    }

    [Fact]
    public void Trailing_spaces_are_padding_but_leading_spaces_are_data()
    {
        Reconciler.Normalise("alice   ", "CHAR(8)", Defaults).Should().Be("alice");
        Reconciler.Normalise("  alice", "VARCHAR", Defaults).Should().Be("  alice");
        Reconciler.Normalise(null, "VARCHAR", Defaults).Should().BeNull();
    }
}
