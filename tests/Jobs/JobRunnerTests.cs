using GluePipeline.Catalog;
using GluePipeline.Data;
using GluePipeline.Diagnostics;
using GluePipeline.Jobs;

namespace GluePipeline.Tests.Jobs;

/// <summary>The DuckDB runtime on small inputs, output checked row by row.</summary>
public sealed class JobRunnerTests : IDisposable
{
    private readonly JobWorkspace _w = new("orders");

    public void Dispose() => _w.Dispose();

    // ----- Formats -------------------------------------------------------------------------

    [Fact]
    public async Task Csv_with_its_own_delimiter_quote_escape_and_null_marker_becomes_parquet()
    {
        _w.Spec(
            """
            sources:
              orders:
                s3: s3://raw-bucket/orders/
                format: csv
                csv: {header: true, delimiter: ";", quote: "'", escape: "\\", null: "NA"}
            sink: {s3: s3://lake-bucket/orders/, format: parquet, mode: overwrite}
            """,
            "SELECT CAST(id AS INT) AS id, note, CAST(amount AS DOUBLE) AS amount FROM orders");
        _w.Put("s3://raw-bucket/orders/2016/01.csv", "id;note;amount\n1;'semi;colon';1.5\n2;'it\\'s';NA\n3;plain;3\n");

        var result = await _w.RunAsync();

        result.RowsWritten.Should().Be(3);
        result.RowsRead.Should().Be(3);
        result.Duration.Should().BePositive();
        result.Sources.Should().ContainSingle().Which.Should().Be(new SourceRead("orders", "s3://raw-bucket/orders/", 1, 0, 3));
        (await _w.RowsAsync("s3://lake-bucket/orders/")).Should().Equal("1|semi;colon|1.5", "2|it's|∅", "3|plain|3");
        _w.Files("s3://lake-bucket/orders/").Should().Equal($"part-{result.RunId}-0.parquet");
    }

    [Fact]
    public async Task Json_lines_become_csv_with_a_header()
    {
        _w.Spec(
            """
            sources:
              orders: {s3: s3://raw-bucket/orders/, format: json, json: {layout: lines}}
            sink: {s3: s3://lake-bucket/orders/, format: csv, mode: overwrite}
            """,
            "SELECT id, customer.name AS customer, total FROM orders ORDER BY id");
        _w.Put("s3://raw-bucket/orders/a.json", "{\"id\": 1, \"customer\": {\"name\": \"ann\"}, \"total\": 9.5}\n{\"id\": 2, \"customer\": {\"name\": \"bo\"}, \"total\": null}\n");

        await _w.RunAsync();

        var file = Directory.EnumerateFiles(_w.Buckets.PathOf("s3://lake-bucket/orders/")).Single();
        File.ReadAllText(file).ReplaceLineEndings("\n").Should().Be("id,customer,total\n1,ann,9.5\n2,bo,\n");
    }

    [Fact]
    public async Task A_json_array_becomes_json_lines()
    {
        _w.Spec(
            """
            sources:
              orders: {s3: s3://raw-bucket/orders/, format: json, json: {layout: array}}
            sink: {s3: s3://lake-bucket/orders/, format: json, mode: overwrite}
            """,
            "SELECT id, upper(status) AS status FROM orders ORDER BY id");
        _w.Put("s3://raw-bucket/orders/a.json", "[{\"id\": 2, \"status\": \"paid\"}, {\"id\": 1, \"status\": \"open\"}]");

        await _w.RunAsync();

        var file = Directory.EnumerateFiles(_w.Buckets.PathOf("s3://lake-bucket/orders/")).Single();
        File.ReadAllText(file).ReplaceLineEndings("\n").Should().Be("{\"id\":1,\"status\":\"OPEN\"}\n{\"id\":2,\"status\":\"PAID\"}\n");
    }

    [Fact]
    public async Task A_nested_array_is_unnested_into_one_row_per_element()
    {
        _w.Spec(
            """
            sources:
              quakes: {s3: s3://raw-bucket/seismic/, format: json, json: {unnest: features}}
            sink: {s3: s3://lake-bucket/events/, format: parquet, mode: overwrite}
            """,
            "SELECT id, CAST(properties.mag AS DOUBLE) AS mag, properties.flynn_region AS region, geometry.type AS lat FROM quakes");
        _w.Put("s3://raw-bucket/seismic/2018-03-02.json", """
            {"type": "FeatureCollection", "metadata": {"totalCount": 2},
             "features": [
               {"geometry": {"type": "Point", "coordinates": [26.76, 45.77, -140]}, "type": "Feature", "id": "20180302_0000103",
                "properties": {"lon": 26.76, "lat": 45.77, "depth": 140, "mag": 3.7, "time": "2018-03-02T23:22:52.1Z", "flynn_region": "ROMANIA"}},
               {"geometry": {"type": "Point", "coordinates": [13.1, 42.2, -10]}, "type": "Feature", "id": "20180302_0000104",
                "properties": {"lon": 13.1, "lat": 42.2, "depth": 10, "mag": 2.1, "time": "2018-03-02T23:40:00.0Z", "flynn_region": "CENTRAL ITALY"}}
             ]}
            """);
        _w.Put("s3://raw-bucket/seismic/2018-03-03.json", """{"type": "FeatureCollection", "features": [{"id": "20180303_0000001", "properties": {"mag": 4.4, "flynn_region": "FIJI"}, "geometry": {"coordinates": [178.1, -17.9, -560]}}]}""");

        var result = await _w.RunAsync();

        result.Sources[0].Rows.Should().Be(3);
        (await _w.RowsAsync("s3://lake-bucket/events/")).Should().Equal("20180302_0000103|3.7|ROMANIA|Point", "20180302_0000104|2.1|CENTRAL ITALY|Point", "20180303_0000001|4.4|FIJI|∅");
    }

    [Fact]
    public async Task Hive_partition_columns_are_read_and_a_push_down_predicate_prunes_partitions_unread()
    {
        await _w.PutQueryAsync("s3://raw-bucket/trips/year=2016/month=1/a.parquet", "SELECT 1 AS id, 10.0 AS fare");
        await _w.PutQueryAsync("s3://raw-bucket/trips/year=2016/month=2/a.parquet", "SELECT 2 AS id, 20.0 AS fare");
        _w.Put("s3://raw-bucket/trips/year=2015/month=12/corrupt.parquet", "this is not parquet");
        _w.Spec(
            """
            sources:
              trips: {s3: s3://raw-bucket/trips/, format: parquet, pushDownPredicate: "year = 2016"}
            sink: {s3: s3://lake-bucket/trips/, format: parquet, mode: overwrite}
            """,
            "SELECT id, fare, year, month FROM trips");

        var result = await _w.RunAsync();

        result.RowsWritten.Should().Be(2);
        (await _w.RowsAsync("s3://lake-bucket/trips/")).Should().Equal("1|10.0|2016|1", "2|20.0|2016|2");

        // Without the predicate the corrupt partition is read, and the run fails: the pruning above was real.
        _w.Spec(
            """
            sources:
              trips: {s3: s3://raw-bucket/trips/, format: parquet}
            sink: {s3: s3://lake-bucket/trips/, format: parquet, mode: overwrite}
            """,
            "SELECT id, fare, year, month FROM trips");
        await FluentActions.Awaiting(() => _w.RunAsync()).Should().ThrowAsync<JobFailedException>();
    }

    [Fact]
    public async Task A_push_down_predicate_on_a_column_that_is_not_a_partition_is_a_spec_error()
    {
        await _w.PutQueryAsync("s3://raw-bucket/trips/year=2016/a.parquet", "SELECT 1 AS id, 10.0 AS fare");
        _w.Spec(
            """
            sources:
              trips: {s3: s3://raw-bucket/trips/, format: parquet, pushDownPredicate: "fare > 5"}
            sink: {s3: s3://lake-bucket/trips/, format: parquet, mode: overwrite}
            """,
            "SELECT id FROM trips");

        var act = () => _w.RunAsync();

        (await act.Should().ThrowAsync<PipelineInputException>()).Which.Message.Should().Contain("jobs/orders/job.yaml:2:3").And.Contain("cannot be evaluated on its partitions (year)").And.Contain("may use only partition columns");
    }

    // ----- Partitioned and compressed sinks ---------------------------------------------------

    [Theory]
    [InlineData("parquet", null, ".parquet")]
    [InlineData("parquet", "gzip", ".parquet")]
    [InlineData("csv", "gzip", ".csv.gz")]
    [InlineData("json", null, ".json")]
    [InlineData("json", "gzip", ".json.gz")]
    public async Task A_partitioned_sink_writes_one_folder_per_partition_in_every_format(string format, string? compression, string extension)
    {
        _w.Spec(
            $$"""
            sources:
              orders: {s3: s3://raw-bucket/orders/, format: csv}
            sink:
              s3: s3://lake-bucket/orders/
              format: {{format}}
              partitionKeys: [year, month]
              {{(compression is null ? string.Empty : "compression: " + compression)}}
              mode: overwrite
            """,
            "SELECT id, amount, year(CAST(day AS DATE)) AS year, month(CAST(day AS DATE)) AS month FROM orders");
        _w.Put("s3://raw-bucket/orders/a.csv", "id,amount,day\n1,1.5,2016-01-03\n2,2.5,2016-01-20\n3,3.5,2016-02-01\n4,4.5,2017-12-31\n");

        var result = await _w.RunAsync();

        result.RowsWritten.Should().Be(4);
        _w.Files("s3://lake-bucket/orders/").Should().Equal(
            $"year=2016/month=1/part-{result.RunId}-0{extension}",
            $"year=2016/month=2/part-{result.RunId}-0{extension}",
            $"year=2017/month=12/part-{result.RunId}-0{extension}");
        result.FilesWritten.Should().Equal(_w.Files("s3://lake-bucket/orders/"));
        var rows = await _w.RowsAsync("s3://lake-bucket/orders/", format == "parquet" ? FileFormat.Parquet : format == "csv" ? FileFormat.Csv : FileFormat.Json, "CAST(id AS INT), CAST(amount AS DOUBLE), CAST(year AS INT), CAST(month AS INT)");
        rows.Should().Equal("1|1.5|2016|1", "2|2.5|2016|1", "3|3.5|2016|2", "4|4.5|2017|12");
    }

    // ----- Write modes ------------------------------------------------------------------------

    [Fact]
    public async Task Overwrite_replaces_the_whole_output()
    {
        _w.Spec(
            """
            sources:
              orders: {s3: s3://raw-bucket/orders/, format: csv}
            sink: {s3: s3://lake-bucket/orders/, format: parquet, partitionKeys: [day], mode: overwrite}
            """,
            "SELECT id, day FROM orders");
        _w.Put("s3://raw-bucket/orders/a.csv", "id,day\n1,mon\n2,tue\n");
        await _w.RunAsync();
        _w.Put("s3://raw-bucket/orders/a.csv", "id,day\n3,wed\n");

        await _w.RunAsync();

        (await _w.RowsAsync("s3://lake-bucket/orders/")).Should().Equal("3|wed");
        _w.Files("s3://lake-bucket/orders/").Should().ContainSingle().Which.Should().StartWith("day=wed/");
        Directory.Exists(Path.Combine(_w.Buckets.BucketFolder("lake-bucket"), ".pipeline-staging")).Should().BeFalse();
    }

    [Fact]
    public async Task Append_adds_uniquely_named_files_next_to_the_existing_ones()
    {
        _w.Spec(
            """
            sources:
              orders: {s3: s3://raw-bucket/orders/, format: csv}
            sink: {s3: s3://lake-bucket/orders/, format: parquet, partitionKeys: [day], mode: append}
            """,
            "SELECT id, day FROM orders");
        _w.Put("s3://raw-bucket/orders/a.csv", "id,day\n1,mon\n2,tue\n");
        var first = await _w.RunAsync(runId: "run1");
        _w.Put("s3://raw-bucket/orders/a.csv", "id,day\n3,mon\n");

        var second = await _w.RunAsync(runId: "run2");

        (await _w.RowsAsync("s3://lake-bucket/orders/")).Should().Equal("1|mon", "2|tue", "3|mon");
        _w.Files("s3://lake-bucket/orders/").Should().Equal("day=mon/part-run1-0.parquet", "day=mon/part-run2-0.parquet", "day=tue/part-run1-0.parquet");
        (first.RowsWritten, second.RowsWritten).Should().Be((2L, 1L));
    }

    // ----- Bookmarks ------------------------------------------------------------------------

    [Fact]
    public async Task A_file_bookmark_processes_each_input_file_once_none_lost_none_duplicated()
    {
        _w.Spec(
            """
            sources:
              orders: {s3: s3://raw-bucket/orders/, format: csv}
            sink: {s3: s3://lake-bucket/orders/, format: parquet, mode: append}
            bookmark: {source: orders, by: files}
            """,
            "SELECT id, note FROM orders");
        _w.Put("s3://raw-bucket/orders/day=1.csv", "id,note\n1,a\n2,b\n");
        _w.Put("s3://raw-bucket/orders/day=2.csv", "id,note\n3,c\n");
        var first = await _w.RunAsync();
        _w.Put("s3://raw-bucket/orders/day=3.csv", "id,note\n4,d\n5,e\n");

        var second = await _w.RunAsync();
        var third = await _w.RunAsync();

        first.Sources[0].Should().Be(new SourceRead("orders", "s3://raw-bucket/orders/", 2, 0, 3));
        second.Sources[0].Should().Be(new SourceRead("orders", "s3://raw-bucket/orders/", 1, 2, 2));
        second.RowsWritten.Should().Be(2);
        third.NothingToDo.Should().Contain("no new input files");
        third.RowsWritten.Should().Be(0);
        (await _w.RowsAsync("s3://lake-bucket/orders/")).Should().Equal("1|a", "2|b", "3|c", "4|d", "5|e");
        File.ReadAllText(Path.Combine(_w.StateDirectory, "orders.bookmark.json")).Should().Contain("s3://raw-bucket/orders/day=3.csv");
    }

    [Fact]
    public async Task A_column_bookmark_reads_only_rows_above_the_last_maximum()
    {
        _w.Spec(
            """
            sources:
              orders: {s3: s3://raw-bucket/orders/, format: csv}
            sink: {s3: s3://lake-bucket/orders/, format: parquet, mode: append}
            bookmark: {source: orders, by: column, column: updated_at}
            """,
            "SELECT id, updated_at FROM orders");
        _w.Put("s3://raw-bucket/orders/export.csv", "id,updated_at\n1,2024-01-01 10:00:00\n2,2024-01-01 11:00:00\n");
        await _w.RunAsync();

        // The source system re-exports everything, plus what changed since.
        _w.Put("s3://raw-bucket/orders/export.csv", "id,updated_at\n1,2024-01-01 10:00:00\n2,2024-01-01 11:00:00\n3,2024-01-01 11:00:01\n2,2024-01-02 09:00:00\n");
        var second = await _w.RunAsync();
        var third = await _w.RunAsync();

        second.Sources[0].Rows.Should().Be(2);
        third.NothingToDo.Should().Contain("no new rows");
        (await _w.RowsAsync("s3://lake-bucket/orders/")).Should().Equal("1|2024-01-01 10:00:00", "2|2024-01-01 11:00:00", "2|2024-01-02 09:00:00", "3|2024-01-01 11:00:01");
    }

    [Fact]
    public async Task Bookmarks_are_kept_per_state_folder_so_each_stack_has_its_own()
    {
        _w.Spec(
            """
            sources:
              orders: {s3: s3://raw-bucket/orders/, format: csv}
            sink: {s3: s3://lake-bucket/orders/, format: parquet, mode: append}
            bookmark: {source: orders, by: files}
            """,
            "SELECT id FROM orders");
        _w.Put("s3://raw-bucket/orders/a.csv", "id\n1\n");
        await _w.RunAsync();
        var spec = await _w.LoadAsync();

        var otherStack = await new JobRunner(new JobRunOptions(_w.Buckets, Path.Combine(_w.Root, "other-stack"))).RunAsync(spec, CancellationToken.None);

        otherStack.Sources[0].Files.Should().Be(1, "another stack's bookmark has not seen the file");
    }

    // ----- Atomic writes --------------------------------------------------------------------

    [Theory]
    [InlineData("overwrite")]
    [InlineData("append")]
    public async Task A_run_that_fails_midway_leaves_the_previous_output_and_bookmark_as_they_were(string mode)
    {
        _w.Spec(
            $$"""
            sources:
              orders: {s3: s3://raw-bucket/orders/, format: csv}
            sink: {s3: s3://lake-bucket/orders/, format: parquet, partitionKeys: [day], mode: {{mode}}}
            bookmark: {source: orders, by: files}
            """,
            "SELECT id, CAST(amount AS INT) AS amount, day FROM orders");
        _w.Put("s3://raw-bucket/orders/1.csv", "id,amount,day\n1,10,mon\n2,20,tue\n");
        await _w.RunAsync();
        var before = _w.Snapshot();
        var bookmark = File.ReadAllText(Path.Combine(_w.StateDirectory, "orders.bookmark.json"));

        // Many good rows, then one that cannot be cast: the failure comes after output was staged.
        var rows = string.Join("\n", Enumerable.Range(3, 5000).Select(i => $"{i},{i},d{i % 7}"));
        _w.Put("s3://raw-bucket/orders/2.csv", "id,amount,day\n" + rows + "\n9999,not a number,mon\n");
        var act = () => _w.RunAsync();

        var error = (await act.Should().ThrowAsync<JobFailedException>()).Which;
        error.Message.Should().Contain("not a number").And.Contain("previous output is untouched");
        var after = _w.Snapshot().Where(f => !f.Key.StartsWith("raw-bucket", StringComparison.Ordinal)).ToDictionary();
        after.Should().Equal(before.Where(f => !f.Key.StartsWith("raw-bucket", StringComparison.Ordinal)).ToDictionary());
        File.ReadAllText(Path.Combine(_w.StateDirectory, "orders.bookmark.json")).Should().Be(bookmark);
        Directory.Exists(Path.Combine(_w.Buckets.BucketFolder("lake-bucket"), ".pipeline-staging")).Should().BeFalse();
    }

    // ----- Mistakes ------------------------------------------------------------------------

    [Fact]
    public async Task A_sql_mistake_points_at_its_line_and_column_in_transform_sql()
    {
        _w.Spec(
            """
            sources:
              orders: {s3: s3://raw-bucket/orders/, format: csv}
            sink: {s3: s3://lake-bucket/orders/, format: parquet, mode: overwrite}
            """,
            "SELECT\n  id,\n  amout\nFROM orders\n");
        _w.Put("s3://raw-bucket/orders/a.csv", "id,amount\n1,2\n");

        var act = () => _w.RunAsync();

        var error = (await act.Should().ThrowAsync<PipelineInputException>()).Which;
        error.Diagnostics.Should().ContainSingle().Which.ToString().Should().StartWith("jobs/orders/transform.sql:3:3: error JOB-SQL: Binder Error: Referenced column \"amout\" not found");
        _w.Files("s3://lake-bucket/orders/").Should().BeEmpty();
    }

    [Theory]
    [InlineData("SELECT id FROM ordrs", "transform.sql:1:16: error JOB-SQL: Catalog Error: Table with name ordrs does not exist", "the sources are views named orders")]
    [InlineData("SELECT id\nFORM orders", "transform.sql:2:6: error JOB-SQL: Parser Error", "fix the SQL syntax")]
    public async Task Unknown_views_and_syntax_errors_name_the_fix(string sql, string expected, string fix)
    {
        _w.Spec(
            """
            sources:
              orders: {s3: s3://raw-bucket/orders/, format: csv}
            sink: {s3: s3://lake-bucket/orders/, format: parquet, mode: overwrite}
            """,
            sql);
        _w.Put("s3://raw-bucket/orders/a.csv", "id\n1\n");

        var act = () => _w.RunAsync();

        var text = (await act.Should().ThrowAsync<PipelineInputException>()).Which.Diagnostics.Single().ToString();
        text.Should().Contain(expected).And.Contain(fix);
    }

    [Fact]
    public async Task A_partition_key_the_transform_does_not_select_is_named()
    {
        _w.Spec(
            """
            sources:
              orders: {s3: s3://raw-bucket/orders/, format: csv}
            sink: {s3: s3://lake-bucket/orders/, format: parquet, partitionKeys: [year], mode: overwrite}
            """,
            "SELECT id FROM orders");
        _w.Put("s3://raw-bucket/orders/a.csv", "id\n1\n");

        var act = () => _w.RunAsync();

        (await act.Should().ThrowAsync<PipelineInputException>()).Which.Message.Should().Contain("jobs/orders/job.yaml:3:1").And.Contain("Partition key year is not a column of transform.sql's result (it has id)");
    }

    [Fact]
    public async Task Missing_input_names_the_location_and_the_folder()
    {
        _w.Spec(
            """
            sources:
              orders: {s3: s3://raw-bucket/orders/, format: csv}
            sink: {s3: s3://lake-bucket/orders/, format: parquet, mode: overwrite}
            """,
            "SELECT * FROM orders");

        var act = () => _w.RunAsync();

        (await act.Should().ThrowAsync<PipelineInputException>()).Which.Message.Should().Contain("Source 'orders' has no input files at s3://raw-bucket/orders/").And.Contain(_w.Buckets.PathOf("s3://raw-bucket/orders/"));
    }

    // ----- Arguments and the catalog --------------------------------------------------------

    [Fact]
    public async Task Arguments_fill_placeholders_in_the_spec_and_the_sql()
    {
        _w.Spec(
            """
            arguments: {raw_bucket: raw-bucket, minimum: ~}
            sources:
              orders: {s3: "s3://${raw_bucket}/orders/", format: csv}
            sink: {s3: "s3://lake-bucket/${JOB_NAME}/", format: parquet, mode: overwrite}
            """,
            "SELECT id FROM orders WHERE amount >= ${minimum}");
        _w.Put("s3://other-bucket/orders/a.csv", "id,amount\n1,5\n2,50\n");

        await _w.RunAsync(new Dictionary<string, string> { ["raw_bucket"] = "other-bucket", ["minimum"] = "10", ["TempDir"] = "s3://tmp/" });

        (await _w.RowsAsync("s3://lake-bucket/orders/")).Should().Equal("2");
    }

    [Fact]
    public async Task A_missing_or_unknown_argument_is_refused_before_anything_runs()
    {
        _w.Spec(
            """
            arguments: {minimum: ~}
            sources:
              orders: {s3: s3://raw-bucket/orders/, format: csv}
            sink: {s3: s3://lake-bucket/orders/, format: parquet, mode: overwrite}
            """,
            "SELECT id FROM orders WHERE amount >= ${minimum}");

        var missing = () => _w.RunAsync();
        var unknown = () => _w.RunAsync(new Dictionary<string, string> { ["minimun"] = "1" });

        (await missing.Should().ThrowAsync<PipelineInputException>()).Which.Message.Should().Contain("jobs/orders/job.yaml:1:13").And.Contain("needs the argument 'minimum'");
        (await unknown.Should().ThrowAsync<PipelineInputException>()).Which.Message.Should().Contain("has no argument 'minimun'").And.Contain("did you mean minimum?");
    }

    [Fact]
    public async Task Catalog_sources_and_sinks_use_the_tables_location_format_and_partitions()
    {
        _w.Catalog.Add(new CatalogTable("raw", "orders", "s3://raw-bucket/tables/orders/", FileFormat.Csv) { Csv = new CsvOptions(Delimiter: "|") });
        _w.Catalog.Add(new CatalogTable("lake", "orders", "s3://lake-bucket/tables/orders/", FileFormat.Parquet) { PartitionKeys = ["status"] });
        _w.Put("s3://raw-bucket/tables/orders/a.csv", "id|status\n1|open\n2|paid\n3|open\n");
        _w.Spec(
            """
            sources:
              orders: {catalog: {database: raw, table: orders}}
            sink: {catalog: {database: lake, table: orders}, mode: overwrite}
            """,
            "SELECT id, status FROM orders");

        await _w.RunAsync();

        (await _w.RowsAsync("s3://lake-bucket/tables/orders/")).Should().Equal("1|open", "2|paid", "3|open");
        var table = await _w.Catalog.GetTableAsync("lake", "orders", CancellationToken.None);
        table!.Partitions.Select(p => p["status"]).Should().BeEquivalentTo("open", "paid");
    }

    [Fact]
    public async Task A_catalog_table_that_does_not_exist_is_named()
    {
        _w.Spec(
            """
            sources:
              orders: {catalog: {database: raw, table: orders}}
            sink: {s3: s3://lake-bucket/o/, format: parquet, mode: overwrite}
            """,
            "SELECT 1");

        var act = () => _w.RunAsync();

        (await act.Should().ThrowAsync<PipelineInputException>()).Which.Message.Should().Contain("The catalog has no table raw.orders").And.Contain("run the crawler that creates it first");
    }
}
