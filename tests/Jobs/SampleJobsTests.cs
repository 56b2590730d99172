using GluePipeline.Data;
using GluePipeline.Jobs;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Jobs;

/// <summary>
/// The sample jobs on their fixtures: every input row arrives exactly once with its values, in the
/// right partition, and the job's own rules pass. The raw input is read independently of the job.
/// </summary>
public sealed class SampleJobsTests : IDisposable
{

    private readonly TempDirectory _work = new("samples");

    public void Dispose() => _work.Dispose();

    /// <summary>A thousandth of the taxi trips (1,070 of 1,070,262); all 360 quakes (three days).</summary>
    private Task<HarnessResult> Run(string job) =>
        JobHarness.RunOnFixturesAsync(Path.Combine(RepositoryRoot.Path, "jobs"), "jobs", job, Path.Combine(_work.Path, job), new Dictionary<string, string>(), 5, job == "taxi" ? 0.001 : 1.0, CancellationToken.None);

    private static async Task<string[]> Query(string sql)
    {
        await using var engine = await DuckDbEngine.OpenAsync(null, CancellationToken.None);
        var result = await engine.QueryAsync(sql, CancellationToken.None);
        return result.Rows.Select(r => string.Join("|", r.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)))).ToArray();
    }

    [Fact]
    public async Task Taxi_csv_becomes_parquet_by_year_and_month_with_every_trip_once()
    {
        var result = await Run("taxi");

        var raw = Path.Combine(_work.Path, "taxi", "buckets", "glue-etl-raw", "nyc-taxi", "green");
        var lake = result.Run.OutputPath;
        result.Run.RowsWritten.Should().Be(1070);
        result.Run.FilesWritten.Should().HaveCount(3).And.OnlyContain(f => f.StartsWith("year=2016/month=", StringComparison.Ordinal));
        result.Rules!.AllPassed.Should().BeTrue(GluePipeline.Validation.ValidationReport.ToText(result.Rules));

        // Row by row: the raw trips, read without the job, against the lake's.
        var expected = await Query($"SELECT VendorID, strftime(CAST(lpep_pickup_datetime AS TIMESTAMP), '%Y-%m-%d %H:%M:%S'), Fare_amount, Total_amount, Payment_type, month(CAST(lpep_pickup_datetime AS TIMESTAMP)) FROM read_csv('{raw}/**/*.csv', header = true) ORDER BY ALL");
        var actual = await Query($"SELECT vendor_id, strftime(pickup_at, '%Y-%m-%d %H:%M:%S'), fare_amount, total_amount, payment_type, month FROM read_parquet('{lake}/**/*.parquet', hive_partitioning = true) ORDER BY ALL");
        actual.Should().Equal(expected);
        (await Query($"SELECT month, COUNT(*) FROM read_parquet('{lake}/**/*.parquet', hive_partitioning = true) GROUP BY month ORDER BY month")).Should().Equal("1|357", "2|357", "3|356");
        (await Query($"SELECT COUNT(*) FROM read_parquet('{lake}/**/*.parquet', hive_partitioning = true) WHERE month(pickup_at) <> month OR year(pickup_at) <> year")).Should().Equal("0");
    }

    [Fact]
    public async Task Quakes_nested_json_becomes_one_row_per_event()
    {
        var result = await Run("quakes");

        var raw = Path.Combine(_work.Path, "quakes", "buckets", "glue-etl-raw", "seismic");
        result.Fixtures.Should().ContainSingle().Which.Files.Should().Be(3);
        result.Run.Sources[0].Rows.Should().Be(360);
        result.Run.RowsWritten.Should().Be(360);
        result.Rules!.AllPassed.Should().BeTrue(GluePipeline.Validation.ValidationReport.ToText(result.Rules));

        var expected = await Query($"SELECT f.id, f.properties.mag, f.properties.flynn_region, CAST(f.properties.depth AS DOUBLE) FROM (SELECT unnest(features) AS f FROM read_json('{raw}/**/*.json')) ORDER BY ALL");
        var actual = await Query($"SELECT id, mag, flynn_region, depth FROM read_parquet('{result.Run.OutputPath}/**/*.parquet', hive_partitioning = true) ORDER BY ALL");
        actual.Should().HaveCount(360).And.Equal(expected);
        (await Query($"SELECT CAST(event_date AS VARCHAR), COUNT(*) FROM read_parquet('{result.Run.OutputPath}/**/*.parquet', hive_partitioning = true) GROUP BY ALL ORDER BY 1")).Should().Equal("2018-03-01|120", "2018-03-02|120", "2018-03-03|120");
    }

    [Fact]
    public async Task A_second_day_of_quakes_is_appended_without_repeating_the_first()
    {
        var first = await Run("quakes");
        var spec = first.Spec;
        var buckets = new LocalBuckets(Path.Combine(_work.Path, "quakes", "buckets"));
        File.Copy(Path.Combine(buckets.PathOf("s3://glue-etl-raw/seismic/"), "2018", "03", "2018-03-03.json"), Path.Combine(buckets.PathOf("s3://glue-etl-raw/seismic/"), "2018", "03", "2018-03-04.json"));
        var options = new JobRunOptions(buckets, Path.Combine(_work.Path, "quakes", "state"));

        var second = await new JobRunner(options).RunAsync(spec, CancellationToken.None);

        second.Sources[0].Should().BeEquivalentTo(new { Files = 1, SkippedFiles = 3, Rows = 120L });
        (await Query($"SELECT COUNT(*), COUNT(DISTINCT id) FROM read_parquet('{first.Run.OutputPath}/**/*.parquet')")).Should().ContainSingle().Which.Should().Be("480|360", "the copied day repeats the ids of the 3rd, and was read exactly once");
    }
}
