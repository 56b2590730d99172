using GluePipeline.Data;
using GluePipeline.Diagnostics;
using GluePipeline.Documents;
using GluePipeline.Jobs;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Jobs;

/// <summary>job.yaml: what a valid spec reads as, and the error every kind of mistake gives.</summary>
public sealed class JobSpecReaderTests : IDisposable
{
    private const string Valid = """
        description: orders to the lake
        arguments:
          raw_bucket: raw
          day: ~
        sources:
          orders:
            s3: s3://${raw_bucket}/orders/
            format: csv
            csv: {header: true, delimiter: ";", quote: "'", escape: "\\", null: "NA"}
          customers:
            catalog: {database: crm, table: customers}
          events:
            s3: s3://raw/events/
            format: json
            json: {layout: lines, unnest: items}
            pushDownPredicate: day = '${day}'
        transform: transform.sql
        sink:
          s3: s3://lake/orders/
          format: parquet
          partitionKeys: [year, month]
          compression: zstd
          mode: append
        bookmark: {source: orders, by: column, column: updated_at}
        rules: rules.dqdl
        fixtures:
          orders: {sql: fixtures/orders.sql}
          customers: {files: fixtures/customers/, format: csv}
        """;

    private readonly TempDirectory _dir = new("jobspec");

    public JobSpecReaderTests()
    {
        _dir.Write("jobs/orders/transform.sql", "SELECT *\nFROM orders\n");
        _dir.Write("jobs/orders/rules.dqdl", "Rules = [ RowCount > 0 ]");
        _dir.Write("jobs/orders/fixtures/orders.sql", "SELECT 1 AS id");
        _dir.Write("jobs/orders/fixtures/customers/c.csv", "id\n1\n");
    }

    public void Dispose() => _dir.Dispose();

    private (JobSpec? Spec, IReadOnlyList<Diagnostic> Findings) Read(string yaml)
    {
        var parsed = DocumentParser.ParseText("jobs/orders/job.yaml", yaml, DocumentDialect.Plain);
        return JobSpecReader.Read(parsed, Path.Combine(_dir.Path, "jobs", "orders"), "jobs/orders");
    }

    [Fact]
    public void A_valid_spec_reads_into_the_model()
    {
        var (spec, findings) = Read(Valid);

        findings.Should().BeEmpty();
        spec!.Name.Should().Be("orders");
        spec.Arguments.Select(a => (a.Name, a.Default)).Should().Equal(("raw_bucket", "raw"), ("day", null));
        spec.Sources.Select(s => s.Name).Should().Equal("orders", "customers", "events");
        spec.Sources[0].Should().BeEquivalentTo(new { S3Path = "s3://${raw_bucket}/orders/", Format = FileFormat.Csv, Csv = new CsvOptions(true, ";", "'", "\\", "NA") });
        spec.Sources[1].Catalog.Should().Be(new CatalogRef("crm", "customers"));
        spec.Sources[2].Json.Should().Be(new JsonOptions(JsonLayout.Lines, "items"));
        spec.Sources[2].PushDownPredicate.Should().Be("day = '${day}'");
        spec.Sink.Should().BeEquivalentTo(new { S3Path = "s3://lake/orders/", Format = FileFormat.Parquet, PartitionKeys = new[] { "year", "month" }, Compression = "zstd", Mode = WriteMode.Append });
        spec.Bookmark.Should().Be(new JobBookmark("orders", BookmarkKind.Column, "updated_at", spec.Bookmark!.Location));
        spec.RulesPath.Should().Be("rules.dqdl");
        spec.Fixtures.Select(f => (f.Source, f.SqlPath, f.FilesPath, f.Format)).Should().Equal(("orders", "fixtures/orders.sql", null, null), ("customers", null, "fixtures/customers/", FileFormat.Csv));
    }

    [Theory]
    [InlineData("taxi")]
    [InlineData("quakes")]
    public async Task The_sample_jobs_read_clean(string job)
    {
        var spec = await JobSpecReader.LoadAsync(Path.Combine(RepositoryRoot.Path, "jobs", job), $"jobs/{job}", CancellationToken.None);

        spec.Name.Should().Be(job);
        spec.Fixtures.Should().NotBeEmpty();
        spec.RulesPath.Should().Be("rules.dqdl");
    }

    public static TheoryData<string, string, string> Malformed => new()
    {
        // yaml, expected location, expected message fragment
        { "- sources\n- sink", "1:1", "A job spec must be a mapping" },
        { "sources: {a: {s3: s3://bkt/a/, format: csv}}\nsink_: {s3: s3://bkt/o/, format: csv, mode: append}", "2:1", "Unknown key 'sink_' in a job spec. Fix: did you mean sink?" },
        { "sink: {s3: s3://bkt/o/, format: csv, mode: append}", "1:1", "A job needs sources" },
        { "sources: {}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}", "1:10", "sources must map each source's name" },
        { "sources:\n  my trips: {s3: s3://bkt/a/, format: csv}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}", "2:3", "'my trips' cannot name a source" },
        { "sources:\n  select: {s3: s3://bkt/a/, format: csv}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}", "2:3", "'select' cannot name a source" },
        { "sources:\n  a: {format: csv}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}", "2:6", "Source 'a' says neither s3, catalog nor jdbc" },
        { "sources:\n  a: {s3: s3://bkt/a/, catalog: {database: d, table: t}, format: csv}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}", "2:33", "Source 'a' has both s3 and catalog" },
        { "sources:\n  a: {s3: /data/a, format: csv}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}", "2:11", "'/data/a' is not an S3 location" },
        { "sources:\n  a: {s3: s3://bkt/a/}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}", "2:6", "Source 'a' reads S3 but has no format" },
        { "sources:\n  a: {s3: s3://bkt/a/, format: parqet}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}", "2:32", "'parqet' is not a format. Fix: did you mean parquet?" },
        { "sources:\n  a:\n    s3: s3://bkt/a/\n    format: parquet\n    csv: {header: true}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}", "5:5", "csv: options on a parquet source" },
        { "sources:\n  a:\n    s3: s3://bkt/a/\n    format: csv\n    csv: {delimiter: ';;'}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}", "5:22", "csv delimiter must be one character" },
        { "sources:\n  a:\n    s3: s3://bkt/a/\n    format: csv\n    csv: {header: yes}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}", "5:19", "header must be true or false" },
        { "sources:\n  a:\n    s3: s3://bkt/a/\n    format: json\n    json: {layout: jsonl}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}", "5:20", "'jsonl' is not a JSON layout" },
        { "sources:\n  a: {s3: s3://bkt/a/, formatt: csv}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}", "2:24", "Unknown key 'formatt' in source 'a'. Fix: did you mean format?" },
        { "sources:\n  a: {catalog: {database: d}}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}", "2:16", "catalog needs a table" },
        { "sources:\n  a: {s3: s3://bkt/a/, format: csv}", "1:1", "A job needs a sink" },
        { "sources:\n  a: {s3: s3://bkt/a/, format: csv}\nsink: {s3: s3://bkt/o/, format: csv}", "3:7", "The sink has no mode. Fix: add mode: overwrite" },
        { "sources:\n  a: {s3: s3://bkt/a/, format: csv}\nsink: {s3: s3://bkt/o/, format: csv, mode: overwrit}", "3:44", "'overwrit' is not a write mode. Fix: did you mean overwrite?" },
        { "sources:\n  a: {s3: s3://bkt/a/, format: csv}\nsink: {s3: s3://bkt/o/, format: csv, compression: snappy, mode: append}", "3:51", "'snappy' is not a compression for csv" },
        { "sources:\n  a: {s3: s3://bkt/a/, format: csv}\nsink: {s3: s3://bkt/o/, format: parquet, partitionKeys: year, mode: append}", "3:57", "partitionKeys must be a list of column names" },
        { "sources:\n  a: {s3: s3://bkt/a/, format: csv}\nsink: {s3: s3://bkt/o/, format: parquet, partitionKeys: [year, Year], mode: append}", "3:64", "partition key 'Year' is listed twice" },
        { "sources:\n  a: {s3: s3://bkt/a/, format: csv}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}\nbookmark: {source: b, by: files}", "4:20", "The bookmark's source 'b' is not a source of this job" },
        { "sources:\n  a: {s3: s3://bkt/a/, format: csv}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}\nbookmark: {source: a, by: column}", "4:11", "A column bookmark needs its column" },
        { "sources:\n  a: {s3: s3://bkt/a/, format: csv}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}\nbookmark: {source: a, by: file}", "4:27", "'file' is not a bookmark kind. Fix: did you mean files?" },
        { "sources:\n  a: {s3: 's3://${raw}/a/', format: csv}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}", "2:17", "${raw} is not an argument of this job" },
        { "arguments: {raw: r}\nsources:\n  a: {s3: 's3://${raw}/a/', format: csv}\ntransform: missing.sql\nsink: {s3: s3://bkt/o/, format: csv, mode: append}", "4:12", "The transform missing.sql does not exist" },
        { "sources:\n  a: {s3: s3://bkt/a/, format: csv}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}\nrules: nope.dqdl", "4:8", "The rule file nope.dqdl does not exist" },
        { "sources:\n  a: {s3: s3://bkt/a/, format: csv}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}\nfixtures:\n  b: {sql: fixtures/orders.sql}", "5:3", "'b' is not a source of this job" },
        { "sources:\n  a: {s3: s3://bkt/a/, format: csv}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}\nfixtures:\n  a: {sql: fixtures/orders.sql, files: fixtures/customers/}", "5:6", "needs exactly one of sql and files" },
        { "sources:\n  a: {s3: s3://bkt/a/, format: csv}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}\nfixtures:\n  a: {sql: fixtures/none.sql}", "5:12", "The fixture query fixtures/none.sql does not exist" },
        { "name: order\nsources:\n  a: {s3: s3://bkt/a/, format: csv}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}", "1:7", "The job is named 'order' but its folder is 'orders'" },
        { "arguments: {JOB_NAME: x}\nsources:\n  a: {s3: s3://bkt/a/, format: csv}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}", "1:13", "'JOB_NAME' is one of Glue's own arguments" },
        { "sources:\n  a:\n    s3: s3://bkt/a/\n   format: csv\nsink: {}", "4:4", "YAML-SYNTAX" },
        { "sources:\n  a: {catalog: {database: d, table: t}}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}\nfixtures:\n  a: {sql: fixtures/orders.sql}", "5:3", "The fixture of catalog source 'a' needs a format" },
        { "sources:\n  a: {s3: s3://bkt/a/, format: csv}\nsink: {catalog: {database: d, table: t}, s3: s3://bkt/o/, mode: append}", "3:17", "The sink has both s3 and catalog" },
        { "sources:\n  a: {s3: s3://bkt/a/, format: csv}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}\nfixtures:\n  a: {sql: fixtures/orders.sql, rows: 0}", "5:39", "rows must be a whole number of at least 1" },
        { "sources:\n  a: {s3: s3://bkt/a/, format: csv}\nsink: {s3: s3://bkt/o/, format: csv, mode: append}\nfixtures:\n  a: {files: fixtures/customers/, rows: 10}", "5:41", "rows scales a fixture query" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_spec_is_an_error_with_file_line_col_and_the_fix(string yaml, string at, string message)
    {
        var (spec, findings) = Read(yaml);

        spec.Should().BeNull();
        var expected = $"jobs/orders/job.yaml:{at}: error ";
        findings.Should().Contain(f => f.ToString().StartsWith(expected, StringComparison.Ordinal) && f.ToString().Contains(message, StringComparison.Ordinal), string.Join("\n", findings));
        findings.Where(f => f.Severity == Severity.Error).Should().OnlyContain(f => f.Fix != null || f.Rule.StartsWith("YAML", StringComparison.Ordinal), "every finding says how to fix it");
    }

    [Fact]
    public void An_undeclared_placeholder_in_transform_sql_points_at_its_line_and_column()
    {
        _dir.Write("jobs/orders/bad.sql", "SELECT *\nFROM a\nWHERE day = '${dya}'\n");

        var (_, findings) = Read("arguments: {day: x}\nsources:\n  a: {s3: s3://bkt/a/, format: csv}\ntransform: bad.sql\nsink: {s3: s3://bkt/o/, format: csv, mode: append}");

        findings.Should().ContainSingle().Which.ToString().Should().Be("jobs/orders/bad.sql:3:14: error JOB-SPEC: ${dya} is not an argument of this job. Fix: did you mean day?");
    }

    [Fact]
    public void Every_mistake_is_reported_at_once()
    {
        var (_, findings) = Read("sources:\n  a: {s3: s3://bkt/a/, format: xml}\n  b: {catalog: {}}\nsink: {s3: s3://bkt/o/, format: csv, mode: sometimes}");

        findings.Should().HaveCountGreaterThanOrEqualTo(4, string.Join("\n", findings));
    }
}

/// <summary>jobs/job.schema.json (for editors) and the reader (for Lint) describe the same keys.</summary>
public sealed class JobSchemaTests
{
    private static readonly System.Text.Json.JsonElement Schema =
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "jobs", "job.schema.json"))).RootElement;

    private static string[] Keys(params string[] path)
    {
        var node = Schema;
        foreach (var part in path)
        {
            node = node.GetProperty(part);
        }

        return node.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToArray();
    }

    [Fact]
    public void The_schema_and_the_reader_know_the_same_keys()
    {
        Keys().Should().BeEquivalentTo(JobSpecReader.TopKeys);
        Keys("$defs", "source").Should().BeEquivalentTo(JobSpecReader.SourceKeys);
        Keys("$defs", "sink").Should().BeEquivalentTo(JobSpecReader.SinkKeys);
        Keys("$defs", "csv").Should().BeEquivalentTo(JobSpecReader.CsvKeys);
        Keys("$defs", "catalog").Should().BeEquivalentTo(JobSpecReader.CatalogKeys);
        Keys("properties", "bookmark").Should().BeEquivalentTo(JobSpecReader.BookmarkKeys);
        Keys("$defs", "source", "properties", "json").Should().BeEquivalentTo(JobSpecReader.JsonKeys);
        Keys("properties", "fixtures", "additionalProperties").Should().BeEquivalentTo(JobSpecReader.FixtureKeys);
    }
}
