using GluePipeline.Catalog;
using GluePipeline.Data.Jdbc;
using GluePipeline.Jobs;
using GluePipeline.Tests.Jobs;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Catalog;

/// <summary>The JDBC crawler on real PostgreSQL and MariaDB: include paths, exclusions, Glue's names and types, and jobs reading what it cataloged.</summary>
public sealed class LocalJdbcCrawlerTests : ScratchDatabases
{
    private LocalGlueCatalog Catalog => LocalGlueCatalog.Open(Path.Combine(ScratchPath, "catalog.json"));

    [SkippableFact]
    public async Task A_PostgreSQL_include_path_catalogs_the_matching_tables_with_Glue_names_and_types()
    {
        await Postgres.ExecuteAsync($"CREATE TABLE {Schema}.cfs_full (shipmt_id integer, orig_state text, shipmt_value numeric(12,2), shipped date); CREATE TABLE {Schema}.cfs_tmp (x int); CREATE TABLE {Schema}.other (y int)", CancellationToken.None);
        var endpoint = new JdbcEndpoint("onprem", JdbcEngine.PostgreSql, DatabaseServers.Postgres) { LogicalDatabase = "glue_demo" };
        var crawler = new CrawlerDefinition("onprem-crawler", "onprem", [], "onprem_postgres_");
        var catalog = Catalog;

        var one = await LocalJdbcCrawler.CrawlAsync(crawler, new JdbcCrawlTarget("onprem", $"glue_demo/{Schema}/cfs_full", []), endpoint, catalog, CancellationToken.None);
        var some = await LocalJdbcCrawler.CrawlAsync(crawler, new JdbcCrawlTarget("onprem", $"glue_demo/{Schema}/cfs%", [$"glue_demo/{Schema}/%tmp"]), endpoint, catalog, CancellationToken.None);

        one.Should().ContainSingle().Which.Should().Be(new CrawledTable($"onprem_postgres_glue_demo_{Schema}_cfs_full", "created", 0, 0));
        some.Select(t => t.Table).Should().Equal($"onprem_postgres_glue_demo_{Schema}_cfs_full");
        var table = Catalog.Table("onprem", $"onprem_postgres_glue_demo_{Schema}_cfs_full")!;
        table.Location.Should().Be($"glue_demo.{Schema}.cfs_full");
        table.ConnectionName.Should().Be("onprem");
        table.Classification.Should().Be("postgresql");
        table.Columns.Select(c => $"{c.Name}:{c.Type}").Should().Equal("shipmt_id:int", "orig_state:string", "shipmt_value:decimal(12,2)", "shipped:date");
    }

    [SkippableFact]
    public async Task A_MySQL_path_is_database_slash_table_and_a_wrong_database_finds_nothing()
    {
        await MySql.ExecuteAsync("CREATE TABLE events (id BIGINT, name VARCHAR(20), at DATETIME(6))", CancellationToken.None);
        var endpoint = new JdbcEndpoint("mysql-source", JdbcEngine.MySql, DatabaseServers.MySql.WithDatabase(Database)) { LogicalDatabase = "glue_demo" };
        var crawler = new CrawlerDefinition("c", "raw", []);

        var found = await LocalJdbcCrawler.CrawlAsync(crawler, new JdbcCrawlTarget("mysql-source", "glue_demo/%", []), endpoint, Catalog, CancellationToken.None);
        var elsewhere = await LocalJdbcCrawler.CrawlAsync(crawler, new JdbcCrawlTarget("mysql-source", "sales/%", []), endpoint, Catalog, CancellationToken.None);
        var badPath = () => LocalJdbcCrawler.CrawlAsync(crawler, new JdbcCrawlTarget("mysql-source", "glue_demo/public/events", []), endpoint, Catalog, CancellationToken.None);

        found.Should().ContainSingle().Which.Table.Should().Be("glue_demo_events");
        Catalog.Table("raw", "glue_demo_events")!.Location.Should().Be("glue_demo.events");
        Catalog.Table("raw", "glue_demo_events")!.Columns.Select(c => c.Type).Should().Equal("bigint", "string", "timestamp");
        elsewhere.Single().Action.Should().Contain("connection mysql-source is database glue_demo");
        (await badPath.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("is not database/table");
    }

    [SkippableFact]
    public async Task A_job_reads_a_crawled_table_through_its_connection_in_parallel()
    {
        await Postgres.ExecuteAsync($"CREATE TABLE {Schema}.cfs_full AS SELECT g AS shipmt_id, 'Q' || (g % 4 + 1) AS quarter FROM generate_series(1, 3000) g", CancellationToken.None);
        var endpoint = new JdbcEndpoint("onprem", JdbcEngine.PostgreSql, DatabaseServers.Postgres) { LogicalDatabase = "glue_demo" };
        var catalog = Catalog;
        await LocalJdbcCrawler.CrawlAsync(new CrawlerDefinition("c", "onprem", []), new JdbcCrawlTarget("onprem", $"glue_demo/{Schema}/cfs_full", []), endpoint, catalog, CancellationToken.None);
        using var w = new JobWorkspace("cfs_to_parquet");
        w.Spec($$"""
            sources:
              cfs:
                catalog: {database: onprem, table: glue_demo_{{Schema}}_cfs_full}
                hashfield: shipmt_id
                hashpartitions: 15
            sink: {s3: s3://lake/cfs/, format: parquet, partitionKeys: [quarter], mode: overwrite}
            """, "SELECT * FROM cfs");

        var run = await new JobRunner(new JobRunOptions(w.Buckets, w.StateDirectory) { Catalog = catalog, Connections = new Dictionary<string, JdbcEndpoint> { ["onprem"] = endpoint } }).RunAsync(await w.LoadAsync(), CancellationToken.None);

        run.RowsRead.Should().Be(3000);
        run.Sources.Single().Location.Should().Be($"jdbc:onprem/{Schema}.cfs_full");
        run.FilesWritten.Select(f => f.Split('/')[0]).Distinct().Should().BeEquivalentTo(["quarter=Q1", "quarter=Q2", "quarter=Q3", "quarter=Q4"]);
        (await w.RowsAsync("s3://lake/cfs/", columns: "COUNT(*)")).Should().Equal("3000");
    }
}

/// <summary>The JDBC crawler's include and exclude paths (no database needed).</summary>
public sealed class JdbcIncludePathTests
{
    [Theory]
    [InlineData("glue_demo/public/cfs_full", "glue_demo/public/cfs_full", true)]
    [InlineData("glue_demo/public/%", "glue_demo/public/cfs_full", true)]
    [InlineData("glue_demo/%/cfs%", "glue_demo/sales/cfs_2020", true)]
    [InlineData("glue_demo/public/%", "glue_demo/private/cfs_full", false)]
    [InlineData("GLUE_DEMO/public/cfs_full", "glue_demo/public/cfs_full", true)]
    [InlineData("glue_demo/public/cfs", "glue_demo/public/cfs_full", false)]
    [InlineData("glue_demo/%", "glue_demo/public/cfs_full", false)]
    public void Include_paths_match_part_by_part(string pattern, string path, bool matches) =>
        LocalJdbcCrawler.Matches(pattern, path).Should().Be(matches);
}
