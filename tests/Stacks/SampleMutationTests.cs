using GluePipeline.Build.Hosting;

namespace GluePipeline.Tests.Stacks;

/// <summary>
/// The seed's scenarios under mutation: a job that loses rows, cuts strings, loses revenue, swaps
/// two columns or writes out of order runs without an error, and must be caught by the reconciliation in livetests/ that
/// guards it before anything is promoted. (A job that duplicates rows on a rerun:
/// tests/Jobs/IncrementalExportTests.cs.)
/// </summary>
[Collection(nameof(NestedLiveTests))]
public sealed class SampleMutationTests : IDisposable
{
    private readonly ReleaseRepository _repo = new();

    public void Dispose() => _repo.Dispose();

    [SkippableTheory]
    [InlineData("jobs/mysql_events/transform.sql", "FROM events", "FROM events\nWHERE event_id % 50 <> 0", "Every_source_event_is_in_the_target_with_the_same_values", "row count: source 200, target 196")]
    [InlineData("jobs/mysql_events/transform.sql", "  notes\n", "  LEFT(notes, 8) AS notes\n", "Every_source_event_is_in_the_target_with_the_same_values", "notes")]
    [InlineData("jobs/mysql_events/transform.sql", "  event_type,\n  user_id,\n  occurred_at,\n  amount,\n  country,", "  country AS event_type,\n  user_id,\n  occurred_at,\n  amount,\n  event_type AS country,", "Every_source_event_is_in_the_target_with_the_same_values", "event_type")]
    [InlineData("jobs/cfs_to_postgres/transform.sql", "CAST(ORIG_CFS_AREA AS STRING) AS orig_cfs_area", "LEFT(CAST(ORIG_CFS_AREA AS STRING), 3) AS orig_cfs_area", "The_CSV_shipments_are_in_the_on_premises_table_with_the_same_values", "orig_cfs_area")]
    [InlineData("jobs/cfs_to_parquet/transform.sql", "FROM cfs", "FROM cfs\nWHERE shipmt_id % 20 <> 0", "Each_quarter_of_the_data_lake_holds_the_source_rows_of_that_quarter", "partition quarter=<q>/ holds the shipments of quarter q")]
    [InlineData("jobs/cfs_to_postgres/transform.sql", "CAST(ORIG_CFS_AREA AS STRING) AS orig_cfs_area", "CAST(DEST_CFS_AREA AS STRING) AS orig_cfs_area", "The_CSV_shipments_are_in_the_on_premises_table_with_the_same_values", "orig_cfs_area")]
    [InlineData("jobs/redshift_query_log/transform.sql", "FROM queries", "FROM queries\nWHERE aborted = 0", "Every_query_of_the_warehouse_is_in_the_data_lake_once_with_the_same_values", "row count")]
    [InlineData("jobs/redshift_query_log/transform.sql", "TRIM(querytxt) AS querytxt", "LEFT(TRIM(querytxt), 20) AS querytxt", "Every_query_of_the_warehouse_is_in_the_data_lake_once_with_the_same_values", "querytxt")]
    [InlineData("jobs/process_marketing/transform.sql", "FROM marketing", "FROM marketing\nWHERE Website_Pageviews > 3000", "The_joined_days_are_the_days_both_datasets_have_and_keep_their_revenue", "an inner join on the date keeps exactly the days both have")]
    [InlineData("jobs/process_sales/transform.sql", "SUM(CAST(Forecasted_Monthly_Revenue AS DECIMAL(14, 2)))", "MAX(CAST(Forecasted_Monthly_Revenue AS DECIMAL(14, 2)))", "The_joined_days_are_the_days_both_datasets_have_and_keep_their_revenue", "the forecasted revenue of the common days is preserved")]
    [InlineData("jobs/join_sales_marketing/transform.sql", "  m.New_Visitors_SEO,\n  m.New_Visitors_CPC,", "  m.New_Visitors_CPC AS New_Visitors_SEO,\n  m.New_Visitors_SEO AS New_Visitors_CPC,", "The_marketing_metrics_of_each_joined_day_are_those_of_the_raw_file", "seo")]
    [InlineData("jobs/join_sales_marketing/transform.sql", "ORDER BY s.Date", "ORDER BY s.Date DESC", "The_joined_days_are_written_in_date_order", "ascending order")]
    public async Task A_broken_job_is_caught_by_the_reconciliation_that_guards_it(string file, string from, string to, string test, string difference)
    {
        _ = GluePipeline.Tests.Support.DatabaseServers.Postgres;
        _repo.Change(file, from, to);

        var result = await _repo.RunAsync("--target=PromoteToProduction", "--scale=0.01", "--approve");

        result.ExitCode.Should().Be(ExitCodes.Failure, $"a broken {file} must not be promoted\n{result}");
        result.Output.Should().Contain("FAILED livetests/");
        _repo.Production.History().Should().BeEmpty();
        var log = File.ReadAllText(Directory.GetFiles(Path.Combine(_repo.Path, "artifacts", "livetest"), "livetests.log", SearchOption.AllDirectories).Single());
        log.Should().MatchRegex($@"Failed GluePipeline\.LiveTests\.\w+\.{test}", "the check that guards this mutation caught it").And.Contain(difference);
        _repo.Stacks.Should().BeEmpty("teardown ran");
    }
}
