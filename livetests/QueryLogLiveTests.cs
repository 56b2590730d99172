using GluePipeline.Data;
using GluePipeline.Validation.Assertions;
using GluePipeline.Validation.Reconciliation;

namespace GluePipeline.LiveTests;

/// <summary>
/// The incremental export of Redshift's query log (the system tables post): every query of the
/// warehouse's STL_QUERY is in the data lake exactly once, with the same values (CHAR padding
/// trimmed), queried as Athena would.
/// </summary>
public sealed class QueryLogLiveTests
{
    [SkippableFact]
    public async Task Every_query_of_the_warehouse_is_in_the_data_lake_once_with_the_same_values()
    {
        await using var warehouse = await LiveTestEnvironment.ConnectionAsync("WarehouseConnection");
        await using var athena = await LiveTestEnvironment.AthenaAsync();
        var lake = $"{SqlDialect.DuckDb.Identifier(LiveTestEnvironment.Output("DatalakeDatabaseName"))}.\"stl_query\"";

        var reconciliation = await Reconciler.CompareAsync(
            warehouse, "(SELECT query, userid, xid, database, TRIM(label) AS label, TRIM(querytxt) AS querytxt, starttime, endtime, aborted FROM stl_query) source",
            athena, $"(SELECT query, userid, xid, database, label, querytxt, starttime, endtime, aborted FROM {lake}) lake",
            new ReconciliationOptions(TimestampPrecision: TimeSpan.FromTicks(10)),
            CancellationToken.None);

        reconciliation.Source.Rows.Should().BePositive("the fixture filled STL_QUERY");
        reconciliation.Should().Match("none lost, none twice, none changed");
    }
}
