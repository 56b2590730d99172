using GluePipeline.Data;
using GluePipeline.Validation;
using GluePipeline.Validation.Assertions;
using GluePipeline.Validation.Dqdl;
using GluePipeline.Validation.Reconciliation;

namespace GluePipeline.LiveTests;

/// <summary>
/// Record counts and data validation of the sample jobs on the stack under test, queried as Athena
/// would be (the raw and data-lake databases the crawlers filled): the checks the seed's LiveTest
/// stage ran by hand, and a few more.
/// </summary>
public sealed class SampleJobsLiveTests
{
    private static string Raw => Quote(LiveTestEnvironment.Output("RawDatabaseName"));

    private static string Lake => Quote(LiveTestEnvironment.Output("DatalakeDatabaseName"));

    private static string Quote(string name) => SqlDialect.DuckDb.Identifier(name);

    private static async Task<long> CountAsync(IQueryEngine athena, string table)
    {
        var result = await athena.QueryAsync($"SELECT count(*) AS n FROM {table}", CancellationToken.None);
        return (long)(DbValues.ToDouble(result.Scalar("n")) ?? -1);
    }

    private static async Task<ValidationResult> RulesAsync(IQueryEngine athena, string table, string rules) =>
        await new RulesetEvaluator(athena).EvaluateAsync(DqdlParser.Parse("livetests", rules), new ValidationDataset(table, table), null, CancellationToken.None);

    [SkippableFact]
    public async Task Every_raw_taxi_trip_reaches_the_data_lake()
    {
        await using var athena = await LiveTestEnvironment.AthenaAsync();

        var raw = await CountAsync(athena, $"{Raw}.\"green\"");
        var lake = await CountAsync(athena, $"{Lake}.\"green\"");

        raw.Should().BePositive("the fixtures wrote raw trips and the raw crawler catalogued them");
        lake.Should().Be(raw, "SELECT count(*) FROM raw.green and datalake.green must match, as in the seed's LiveTest");
    }

    [SkippableFact]
    public async Task Data_lake_trips_are_plausible()
    {
        await using var athena = await LiveTestEnvironment.AthenaAsync();

        var result = await RulesAsync(athena, $"{Lake}.\"green\"", """
            Rules = [
              ColumnValues "fare_amount" >= 0,
              CustomSql "select count(*) from primary where dropoff_at < pickup_at" = 0,
              ColumnValues "passenger_count" between 0 and 10,
              ColumnValues "vendor_id" in [1, 2],
              IsComplete "pickup_at"
            ]
            """);

        result.Should().AllPass("no negative fares, pickups before dropoffs, passenger counts in range, known vendors");
    }

    [SkippableFact]
    public async Task Raw_and_data_lake_trips_hold_the_same_values()
    {
        await using var athena = await LiveTestEnvironment.AthenaAsync();

        var reconciliation = await Reconciler.CompareAsync(
            athena,
            $"(SELECT VendorID, Fare_amount, Total_amount, CAST(lpep_pickup_datetime AS TIMESTAMP) AS pickup FROM {Raw}.\"green\") raw",
            athena,
            $"(SELECT vendor_id, fare_amount, total_amount, pickup_at FROM {Lake}.\"green\") lake",
            new ReconciliationOptions(ColumnMap: new Dictionary<string, string> { ["VendorID"] = "vendor_id", ["Fare_amount"] = "fare_amount", ["Total_amount"] = "total_amount", ["pickup"] = "pickup_at" }),
            CancellationToken.None);

        reconciliation.Should().Match();
    }

    [SkippableFact]
    public async Task Every_seismic_event_of_the_raw_files_is_one_row_in_the_data_lake()
    {
        await using var athena = await LiveTestEnvironment.AthenaAsync();

        var announced = await athena.QueryAsync($"SELECT sum(metadata.totalCount) AS n FROM {Raw}.\"seismic\"", CancellationToken.None);
        var events = await CountAsync(athena, $"{Lake}.\"events\"");

        events.Should().Be((long)(DbValues.ToDouble(announced.Scalar("n")) ?? -1), "each day's file announces its events in metadata.totalCount");
        (await RulesAsync(athena, $"{Lake}.\"events\"", "Rules = [ IsUnique \"id\", ColumnValues \"mag\" between -2 and 10 ]")).Should().AllPass();
    }
}
