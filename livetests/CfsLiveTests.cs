using System.Globalization;
using GluePipeline.Data;
using GluePipeline.Validation.Assertions;
using GluePipeline.Validation.Reconciliation;

namespace GluePipeline.LiveTests;

/// <summary>
/// The on-premises JDBC post's two jobs: the CFS CSV in S3 reaches the on-premises PostgreSQL's
/// cfs_full unchanged, and cfs_full reaches the data lake partitioned by quarter with each
/// partition holding exactly the source's rows of that quarter.
/// </summary>
public sealed class CfsLiveTests
{
    private static string Table(string output, string table) => $"{SqlDialect.DuckDb.Identifier(LiveTestEnvironment.Output(output))}.\"{table}\"";

    [SkippableFact]
    public async Task The_CSV_shipments_are_in_the_on_premises_table_with_the_same_values()
    {
        await using var onprem = await LiveTestEnvironment.ConnectionAsync("OnPremConnection");
        await using var athena = await LiveTestEnvironment.AthenaAsync();

        var reconciliation = await Reconciler.CompareAsync(
            athena, $"(SELECT SHIPMT_ID AS shipmt_id, QUARTER AS quarter, ORIG_CFS_AREA AS orig_cfs_area, SHIPMT_VALUE AS shipmt_value, SHIPMT_WGHT AS shipmt_wght, HAZMAT AS hazmat, WGT_FACTOR AS wgt_factor FROM {Table("RawDatabaseName", "cfs")}) raw",
            onprem, "(SELECT shipmt_id, quarter, orig_cfs_area, shipmt_value, shipmt_wght, hazmat, wgt_factor FROM public.cfs_full) cfs_full",
            new ReconciliationOptions(),
            CancellationToken.None);

        reconciliation.Source.Rows.Should().BePositive("the fixture wrote the CSV");
        reconciliation.Should().Match();
    }

    [SkippableFact]
    public async Task Each_quarter_of_the_data_lake_holds_the_source_rows_of_that_quarter()
    {
        await using var onprem = await LiveTestEnvironment.ConnectionAsync("OnPremConnection");
        await using var athena = await LiveTestEnvironment.AthenaAsync();

        var source = await CountsAsync(onprem, "SELECT CAST(quarter AS VARCHAR(4)) AS quarter, COUNT(*) AS n FROM public.cfs_full GROUP BY quarter");
        var lake = await CountsAsync(athena, $"SELECT CAST(quarter AS VARCHAR) AS quarter, COUNT(*) AS n FROM {Table("DatalakeDatabaseName", "cfs")} GROUP BY quarter");

        source.Should().HaveCount(4);
        lake.Should().BeEquivalentTo(source, "partition quarter=<q>/ holds the shipments of quarter q, none lost, none twice");

        var reconciliation = await Reconciler.CompareAsync(
            onprem, "(SELECT shipmt_id, shipmt_value, orig_cfs_area, CAST(quarter AS VARCHAR(4)) AS quarter FROM public.cfs_full) source",
            athena, $"(SELECT shipmt_id, shipmt_value, orig_cfs_area, CAST(quarter AS VARCHAR) AS quarter FROM {Table("DatalakeDatabaseName", "cfs")}) lake",
            new ReconciliationOptions(),
            CancellationToken.None);
        reconciliation.Should().Match();
    }

    private static async Task<Dictionary<string, long>> CountsAsync(IQueryEngine engine, string sql) =>
        (await engine.QueryAsync(sql, CancellationToken.None)).Rows.ToDictionary(r => Convert.ToString(r[0], CultureInfo.InvariantCulture)!, r => Convert.ToInt64(r[1], CultureInfo.InvariantCulture));
}
