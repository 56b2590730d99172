using GluePipeline.Jobs;

namespace GluePipeline.Tests.Jobs;

/// <summary>Lint's SQL portability check: what DuckDB runs but Glue's Spark 3.3/3.5 rejects or reads differently.</summary>
public sealed class SqlPortabilityTests
{
    public static TheoryData<string, string, string> NotPortable => new()
    {
        // sql, line:col, message fragment
        { "SELECT amount::DOUBLE AS amount\nFROM t", "1:14", "'::' casts" },
        { "SELECT *\nFROM t\nWHERE regexp_matches(code, '[A-Z]+')", "3:7", "regexp_extract(x, 'pattern', 0) <> ''" },
        { "SELECT regexp_full_match(code, 'a') FROM t", "1:8", "regexp_full_match is DuckDB's" },
        { "SELECT * FROM t WHERE list_contains(tags, 'x')", "1:23", "array_contains" },
        { "SELECT * FROM t WHERE id IN [1, 2, 3]", "1:29", "x IN (a, b)" },
        { "SELECT coordinates[1] AS lon FROM t", "1:18", "counting from 1 in DuckDB and from 0 in Spark" },
        { "SELECT strftime(pickup_at, '%Y-%m') AS ym FROM t", "1:8", "strftime is DuckDB's" },
        { "SELECT strptime(day, '%d/%m/%Y') FROM t", "1:8", "CAST(x AS TIMESTAMP)" },
        { "SELECT * EXCLUDE (secret) FROM t", "1:8", "EXCLUDE" },
        { "SELECT * REPLACE (upper(name) AS name) FROM t", "1:8", "REPLACE" },
        { "SELECT vendor, count(*) FROM t\nGROUP BY ALL", "2:1", "GROUP BY ALL" },
        { "SELECT * FROM t\nORDER BY ALL", "2:1", "ORDER BY ALL" },
        { "SELECT *, row_number() OVER (PARTITION BY id ORDER BY ts) AS rn FROM t\nQUALIFY rn = 1", "2:1", "QUALIFY" },
        { "SELECT DISTINCT ON (id) * FROM t", "1:8", "DISTINCT ON" },
        { "-- latest rows\nFROM t SELECT id", "2:1", "starts with FROM" },
        { "SELECT \"total amount\" FROM t", "1:8", "double quotes name a column in DuckDB but write a string in Spark" },
        { "SELECT payload->>'$.id' FROM t", "1:15", "JSON operators" },
        { "SELECT len(name) FROM t", "1:8", "length(x)" },
        { "SELECT arg_max(name, ts) FROM t", "1:8", "max_by" },
        { "SELECT any_value(name) FROM t", "1:8", "first(x)" },
        { "SELECT hash(id) % 10 AS bucket FROM t", "1:8", "md5(CAST(x AS STRING))" },
        { "SELECT CAST(id AS HUGEINT) FROM t", "1:19", "DECIMAL(38, 0)" },
        { "SELECT CAST(id AS VARCHAR) FROM t", "1:16", "CAST(x AS STRING)" },
        { "SELECT CAST(ts AS TIMESTAMPTZ) FROM t", "1:19", "TIMESTAMP WITH TIME ZONE" },
        { "SELECT minutes // 60 AS hours FROM t", "1:16", "integer division" },
        { "SELECT * FROM t ORDER BY id LIMIT 10 OFFSET 20", "1:38", "OFFSET arrived in Spark 3.4" },
        { "SELECT * FROM t USING SAMPLE 10%", "1:17", "sampling" },
        { "SELECT unnest(features) FROM t", "1:8", "json: {unnest: field}" },
        { "SELECT today() AS day FROM t", "1:8", "current_date" },
        { "SELECT * FROM read_csv('s3://b/x.csv')", "1:15", "declare the files as a source" },
        { "PIVOT t ON vendor USING sum(fare)", "1:1", "PIVOT (agg FOR col IN" },
        { "CREATE TABLE x AS SELECT 1", "1:1", "one SELECT" },
        { "SELECT 1 AS a;\nINSERT INTO x SELECT 2", "2:1", "one SELECT" },
    };

    [Theory]
    [MemberData(nameof(NotPortable))]
    public void A_duckdb_only_construct_is_an_error_at_its_line_with_the_portable_form(string sql, string at, string fragment)
    {
        var findings = SqlPortability.Check("jobs/j/transform.sql", sql);

        findings.Should().Contain(f => f.ToString().StartsWith($"jobs/j/transform.sql:{at}: error JOB-SQL-PORTABLE: ", StringComparison.Ordinal) && f.ToString().Contains(fragment, StringComparison.Ordinal), string.Join("\n", findings));
        findings.Should().OnlyContain(f => f.Fix != null);
    }

    public static TheoryData<string> Portable => new()
    {
        "SELECT CAST(amount AS DOUBLE) AS amount FROM t",
        "SELECT * FROM t WHERE name ILIKE 'a%'",
        "SELECT count(*) FILTER (WHERE fare > 10) AS big FROM t",
        "SELECT * FROM t WHERE a IS NOT DISTINCT FROM b",
        "SELECT properties.mag AS mag, geometry.type FROM quakes",
        "SELECT regexp_extract(code, '[A-Z]+', 0) FROM t",
        "SELECT max_by(name, ts), min_by(name, ts), first(name) FROM t",
        "SELECT md5(CAST(id AS STRING)) FROM t",
        "SELECT concat_ws(',', a, b), coalesce(a, b), ifnull(a, b) FROM t",
        "SELECT year(pickup_at) AS year, month(pickup_at) AS month, date_trunc('month', pickup_at) FROM t",
        "SELECT extract(year FROM pickup_at) FROM t",
        "SELECT id, row_number() OVER (PARTITION BY vendor ORDER BY ts DESC) AS rn FROM t",
        "SELECT CAST(amount AS DECIMAL(10, 2)), CAST(id AS BIGINT), CAST(name AS STRING) FROM t",
        "SELECT * FROM t WHERE id IN (1, 2, 3)",
        "SELECT array_contains(tags, 'x') FROM t",
        "SELECT * FROM t WHERE ts > '2016-01-01 10:00:00' AND note = 'a::b' AND pattern = '[abc]' AND q = 'say \"hi\"'",
        "-- strftime(x) and a::b in a comment\nSELECT 1 AS a /* regexp_matches(x) */",
        "SELECT trip_len(x), utc_offset, hashed_id FROM t",
        "SELECT m['key'] AS v FROM t",
        "SELECT CASE WHEN a > 0 THEN 'pos' ELSE 'neg' END AS sign FROM t",
        "SELECT floor(minutes / 60) AS hours FROM t",
        "SELECT * FROM t ORDER BY id LIMIT 10",
        "SELECT count(DISTINCT vendor) FROM t GROUP BY 1 ORDER BY 1",
        "WITH x AS (SELECT 1 AS a) SELECT a FROM x",
        "SELECT CAST(name AS VARCHAR(20)) FROM t",
    };

    [Theory]
    [MemberData(nameof(Portable))]
    public void Sql_both_engines_read_alike_passes(string sql)
    {
        SqlPortability.Check("jobs/j/transform.sql", sql).Should().BeEmpty();
    }

    [Theory]
    [InlineData("taxi")]
    [InlineData("quakes")]
    public void The_sample_transforms_are_portable(string job)
    {
        var path = Path.Combine(Support.RepositoryRoot.Path, "jobs", job, "transform.sql");

        SqlPortability.Check($"jobs/{job}/transform.sql", File.ReadAllText(path)).Should().BeEmpty();
    }
}
