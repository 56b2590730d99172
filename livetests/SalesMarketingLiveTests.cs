using System.Globalization;
using GluePipeline.Data;
using GluePipeline.Validation.Assertions;
using GluePipeline.Validation.Reconciliation;

namespace GluePipeline.LiveTests;

/// <summary>
/// The Step Functions post's workflow on the stack under test: the joined days are exactly the
/// days both raw datasets have, the forecasted revenue of those days is preserved through the
/// grouping and the join, the marketing metrics arrive in their own columns, and the output is in
/// date order.
/// </summary>
public sealed class SalesMarketingLiveTests
{
    private static string Raw(string table) => $"{SqlDialect.DuckDb.Identifier(LiveTestEnvironment.Output("RawDatabaseName"))}.\"{table}\"";

    private static string Joined => $"{SqlDialect.DuckDb.Identifier(LiveTestEnvironment.Output("DatalakeDatabaseName"))}.\"joined\"";

    private static async Task<decimal> ScalarAsync(IQueryEngine engine, string sql) =>
        Convert.ToDecimal((await engine.QueryAsync(sql, CancellationToken.None)).Rows[0][0] ?? 0m, CultureInfo.InvariantCulture);

    [SkippableFact]
    public async Task The_joined_days_are_the_days_both_datasets_have_and_keep_their_revenue()
    {
        await using var athena = await LiveTestEnvironment.AthenaAsync();
        var common = $"SELECT CAST(\"Date\" AS DATE) AS d FROM {Raw("sales")} INTERSECT SELECT CAST(\"Date\" AS DATE) FROM {Raw("marketing")}";

        var days = await ScalarAsync(athena, $"SELECT count(*) FROM ({common})");
        var joined = await ScalarAsync(athena, $"SELECT count(*) FROM {Joined}");
        var revenue = await ScalarAsync(athena, $"SELECT sum(CAST(\"Forecasted Monthly Revenue\" AS DECIMAL(14, 2))) FROM {Raw("sales")} WHERE CAST(\"Date\" AS DATE) IN ({common})");
        var joinedRevenue = await ScalarAsync(athena, $"SELECT sum(Forecasted_Monthly_Revenue) FROM {Joined}");

        days.Should().BePositive("the sales and marketing fixtures overlap");
        joined.Should().Be(days, "an inner join on the date keeps exactly the days both have");
        joinedRevenue.Should().Be(revenue, "the forecasted revenue of the common days is preserved through the grouping and the join");
    }

    [SkippableFact]
    public async Task The_marketing_metrics_of_each_joined_day_are_those_of_the_raw_file()
    {
        await using var athena = await LiveTestEnvironment.AthenaAsync();

        var reconciliation = await Reconciler.CompareAsync(
            athena, $"(SELECT CAST(\"Date\" AS DATE) AS date, \"New Visitors SEO\" AS seo, \"New Visitors CPC\" AS cpc, \"Website Pageviews\" AS pageviews, \"Paid Conversion\" AS paid FROM {Raw("marketing")} WHERE CAST(\"Date\" AS DATE) IN (SELECT CAST(\"Date\" AS DATE) FROM {Raw("sales")})) raw",
            athena, $"(SELECT \"Date\" AS date, New_Visitors_SEO AS seo, New_Visitors_CPC AS cpc, Website_Pageviews AS pageviews, Paid_Conversion AS paid FROM {Joined}) joined",
            new ReconciliationOptions(),
            CancellationToken.None);

        reconciliation.Should().Match();
    }

    [SkippableFact]
    public async Task The_joined_days_are_written_in_date_order()
    {
        var manifest = LiveTestEnvironment.Manifest;
        Skip.If(manifest.Lane != "local", "reading the output files in their order needs the local lane's buckets");
        var folder = new GluePipeline.Jobs.LocalBuckets(manifest.BucketsRoot!).PathOf($"s3://{LiveTestEnvironment.Output("DatalakeBucketName")}/sales-marketing/joined/");
        await using var duck = await DuckDbEngine.OpenAsync(null, CancellationToken.None);

        var rows = await duck.QueryAsync($"SELECT \"Date\" FROM read_parquet({SqlDialect.DuckDb.String(Path.Combine(folder, "*.parquet"))}, file_row_number = true) ORDER BY filename, file_row_number", CancellationToken.None);
        var dates = rows.Rows.Select(r => (DateOnly)r[0]!).ToArray();

        dates.Should().NotBeEmpty().And.BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }
}
