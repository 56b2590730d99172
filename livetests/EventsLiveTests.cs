using GluePipeline.Validation.Assertions;
using GluePipeline.Validation.Reconciliation;

namespace GluePipeline.LiveTests;

/// <summary>
/// The multi-VPC post's events, reconciled between the MySQL source and both targets (PostgreSQL,
/// and the Redshift data mart): the same rows, column by column - counts, per-column aggregates
/// and order-independent checksums with types normalised across the engines - so a job that loses
/// rows, cuts strings or swaps columns fails here.
/// </summary>
public sealed class EventsLiveTests
{
    private const string Columns = "event_id, event_type, user_id, occurred_at, amount, country, notes";

    public static TheoryData<string, string> Targets => new()
    {
        { "TargetDbConnection", "public.events" },
        { "WarehouseConnection", "public.mysqldb_events" },
    };

    [SkippableTheory]
    [MemberData(nameof(Targets))]
    public async Task Every_source_event_is_in_the_target_with_the_same_values(string connection, string table)
    {
        await using var source = await LiveTestEnvironment.ConnectionAsync("SourceDbConnection");
        await using var target = await LiveTestEnvironment.ConnectionAsync(connection);

        var reconciliation = await Reconciler.CompareAsync(
            source, $"(SELECT {Columns} FROM events) source",
            target, $"(SELECT {Columns} FROM {table}) target",
            new ReconciliationOptions(TimestampPrecision: TimeSpan.FromTicks(10)),
            CancellationToken.None);

        reconciliation.Source.Rows.Should().BePositive("the fixture filled the source");
        reconciliation.Should().Match();
    }

    [SkippableTheory]
    [MemberData(nameof(Targets))]
    public async Task The_always_empty_legacy_column_is_dropped(string connection, string table)
    {
        await using var target = await LiveTestEnvironment.ConnectionAsync(connection);
        var schema = table.Split('.')[0];
        var name = table.Split('.')[1];

        var columns = await target.QueryAsync($"SELECT column_name FROM information_schema.columns WHERE table_schema = '{schema}' AND table_name = '{name}' ORDER BY ordinal_position", CancellationToken.None);

        columns.Rows.Select(r => (string)r[0]!).Should().Equal(Columns.Split(", "), "DropNullFields: legacy_ref is NULL in every row");
    }
}
