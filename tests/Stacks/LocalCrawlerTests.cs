using GluePipeline.Catalog;
using GluePipeline.Data;
using GluePipeline.Tests.Jobs;

namespace GluePipeline.Tests.Stacks;

public sealed class LocalCrawlerTests : IDisposable
{
    private readonly JobWorkspace _w = new();

    public void Dispose() => _w.Dispose();

    private LocalGlueCatalog Catalog() => LocalGlueCatalog.Open(Path.Combine(_w.Root, "catalog.json"));

    [Fact]
    public async Task A_csv_target_becomes_a_table_with_sniffed_settings_and_hive_partitions_as_string_columns()
    {
        _w.Put("s3://raw-bucket/Trips-2016/year=2016/month=1/a.csv", "id;fare;note\n1;2.5;x\n");
        _w.Put("s3://raw-bucket/Trips-2016/year=2016/month=2/b.csv", "id;fare;note\n2;3.5;y\n");
        var catalog = Catalog();

        var crawled = await LocalCrawler.CrawlAsync(new CrawlerDefinition("raw", "rawdb", ["s3://raw-bucket/Trips-2016/"], TablePrefix: "t_"), _w.Buckets, catalog, CancellationToken.None);

        crawled.Should().Equal(new CrawledTable("t_trips_2016", "created", 2, 2));
        var table = catalog.Table("rawdb", "t_trips_2016")!;
        table.Format.Should().Be(FileFormat.Csv);
        table.Csv.Delimiter.Should().Be(";");
        table.Columns.Should().Equal(new CatalogColumn("id", "bigint"), new CatalogColumn("fare", "double"), new CatalogColumn("note", "string"));
        table.PartitionKeys.Should().Equal(new CatalogColumn("year", "string"), new CatalogColumn("month", "string"));
        table.Partitions.Select(p => $"{p["year"]}/{p["month"]}").Should().BeEquivalentTo("2016/1", "2016/2");
        table.Location.Should().Be("s3://raw-bucket/Trips-2016/");
    }

    [Fact]
    public async Task Nested_json_becomes_struct_and_array_types()
    {
        _w.Put("s3://raw-bucket/seismic/2018-03-02.json", """{"type": "FeatureCollection", "metadata": {"totalCount": 1}, "features": [{"id": "a", "properties": {"mag": 3.7, "time": "2018-03-02T23:22:52Z"}}]}""");
        var catalog = Catalog();

        await LocalCrawler.CrawlAsync(new CrawlerDefinition("raw", "rawdb", ["s3://raw-bucket/seismic/"]), _w.Buckets, catalog, CancellationToken.None);

        var columns = catalog.Table("rawdb", "seismic")!.Columns.ToDictionary(c => c.Name, c => c.Type);
        columns["metadata"].Should().Be("struct<totalcount:bigint>");
        columns["features"].Should().StartWith("array<struct<id:string,properties:struct<mag:double,time:");
    }

    [Fact]
    public async Task A_recrawl_updates_the_schema_and_adds_partitions_unless_the_policy_only_logs()
    {
        await _w.PutQueryAsync("s3://lake-bucket/trips/day=1/a.parquet", "SELECT 1 AS id");
        var catalog = Catalog();
        var crawler = new CrawlerDefinition("lake", "lakedb", ["s3://lake-bucket/trips/"]);
        await LocalCrawler.CrawlAsync(crawler, _w.Buckets, catalog, CancellationToken.None);
        await _w.PutQueryAsync("s3://lake-bucket/trips/day=2/b.parquet", "SELECT 2 AS id, 'x' AS note");

        var logged = await LocalCrawler.CrawlAsync(crawler with { UpdateInDatabase = false }, _w.Buckets, catalog, CancellationToken.None);
        var columnsAfterLog = catalog.Table("lakedb", "trips")!.Columns.Select(c => c.Name).ToArray();
        var updated = await LocalCrawler.CrawlAsync(crawler, _w.Buckets, catalog, CancellationToken.None);

        logged.Single().Action.Should().StartWith("unchanged");
        columnsAfterLog.Should().Equal("id");
        catalog.Table("lakedb", "trips")!.Partitions.Should().HaveCount(2);
        updated.Single().Action.Should().Be("updated");
        catalog.Table("lakedb", "trips")!.Columns.Select(c => c.Name).Should().Equal("id", "note");
    }

    [Fact]
    public async Task A_target_without_data_makes_no_table()
    {
        var catalog = Catalog();

        var crawled = await LocalCrawler.CrawlAsync(new CrawlerDefinition("raw", "rawdb", ["s3://raw-bucket/empty/"]), _w.Buckets, catalog, CancellationToken.None);

        crawled.Single().Action.Should().Be("no data");
        catalog.Table("rawdb", "empty").Should().BeNull();
    }

    [Fact]
    public async Task Local_athena_queries_crawled_tables_by_database_and_name()
    {
        _w.Put("s3://raw-bucket/trips/year=2016/a.csv", "id,fare\n1,2.5\n2,3.5\n");
        var catalog = Catalog();
        await LocalCrawler.CrawlAsync(new CrawlerDefinition("raw", "nycitytaxi_livetest", ["s3://raw-bucket/trips/"]), _w.Buckets, catalog, CancellationToken.None);
        catalog.PutTable("nycitytaxi_livetest", new LocalTable { Name = "later", Location = "s3://raw-bucket/later/", Format = FileFormat.Parquet, Columns = [new CatalogColumn("id", "bigint")] });

        await using var athena = await LocalAthena.OpenAsync(catalog, _w.Buckets, CancellationToken.None);
        var count = await athena.QueryAsync("SELECT count(*) AS n, sum(fare) AS f FROM \"nycitytaxi_livetest\".\"trips\" WHERE year = '2016'", CancellationToken.None);
        var empty = await athena.QueryAsync("SELECT count(*) AS n FROM \"nycitytaxi_livetest\".\"later\"", CancellationToken.None);

        (DbValues.ToDouble(count.Scalar("n")), DbValues.ToDouble(count.Scalar("f"))).Should().Be((2.0, 6.0));
        DbValues.ToDouble(empty.Scalar("n")).Should().Be(0, "a table whose files are not there yet reads as empty, with its columns");
    }

    [Theory]
    [InlineData("BIGINT", "bigint")]
    [InlineData("DECIMAL(10, 2)", "decimal(10,2)")]
    [InlineData("TIMESTAMP WITH TIME ZONE", "timestamp")]
    [InlineData("VARCHAR[]", "array<string>")]
    [InlineData("STRUCT(\"type\" VARCHAR, coordinates DOUBLE[])", "struct<type:string,coordinates:array<double>>")]
    [InlineData("MAP(VARCHAR, INTEGER)", "map<string,int>")]
    public void DuckDB_types_become_glue_types(string duckDb, string glue) => LocalCrawler.GlueType(duckDb).Should().Be(glue);
}
