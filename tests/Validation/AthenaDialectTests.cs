using System.Text.RegularExpressions;
using GluePipeline.Data;
using GluePipeline.Tests.Support;
using GluePipeline.Validation;
using GluePipeline.Validation.Dqdl;

namespace GluePipeline.Tests.Validation;

/// <summary>
/// Athena's SQL is compiled and checked here; it runs for real only in the aws lane. Two checks: the
/// text uses Trino's constructs and none of the other engines', and - because DuckDB understands
/// almost all of Trino's SQL - the compiled queries, run on DuckDB with regexp_like mapped to its
/// DuckDB twin, give exactly the DuckDB dialect's outcomes and metrics (all divisions happen in C#,
/// so Trino's integer division cannot differ).
/// </summary>
public sealed class AthenaDialectTests(CrossEngineFixture fixture) : IClassFixture<CrossEngineFixture>
{
    /// <summary>DuckDB answering queries compiled for Athena; records them.</summary>
    private sealed class AthenaOnDuckDb(DuckDbEngine duckDb) : IQueryEngine
    {
        public List<string> Sql { get; } = [];

        public SqlDialect Dialect => SqlDialect.Athena;

        public Task<QueryResult> QueryAsync(string sql, CancellationToken cancellationToken)
        {
            Sql.Add(sql);
            return duckDb.QueryAsync(sql, cancellationToken);
        }

        public IAsyncEnumerable<object?[]> StreamAsync(string sql, CancellationToken cancellationToken)
        {
            Sql.Add(sql);
            return duckDb.StreamAsync(sql, cancellationToken);
        }

        public Task<IReadOnlyList<ColumnSchema>> DescribeAsync(string relation, CancellationToken cancellationToken) => duckDb.DescribeAsync(relation, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private async Task<(ValidationResult Athena, ValidationResult DuckDb, List<string> Sql)> EvaluateBoth(string rules)
    {
        await fixture.DuckDb.ExecuteAsync("CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p)", CancellationToken.None);
        var athena = new AthenaOnDuckDb(fixture.DuckDb);
        var options = new ValidationOptions(Time: new FixedTime(ValidationFixture.Now));
        var document = DqdlParser.Parse("athena.dqdl", rules);
        var references = new Dictionary<string, ValidationDataset> { ["reference"] = new("r", "\"r\"") };
        var onAthena = await new RulesetEvaluator(athena, options).EvaluateAsync(document, new ValidationDataset("t", "\"t\""), references, CancellationToken.None);
        var onDuckDb = await new RulesetEvaluator(fixture.DuckDb, options).EvaluateAsync(document, new ValidationDataset("t", "\"t\""), references, CancellationToken.None);
        return (onAthena, onDuckDb, athena.Sql);
    }

    [Fact]
    public async Task Athena_SQL_gives_the_DuckDB_outcomes_and_metrics_for_every_rule()
    {
        var (athena, duckDb, _) = await EvaluateBoth(CrossEngineTests.Ruleset);

        athena.Rules.Should().NotContain(r => r.Outcome == RuleOutcome.Error, string.Join("\n", athena.Rules.Where(r => r.Outcome == RuleOutcome.Error).Select(r => r.Rule + ": " + r.FailureReason)));
        for (var i = 0; i < duckDb.Rules.Count; i++)
        {
            var (expected, actual) = (duckDb.Rules[i], athena.Rules[i]);
            actual.Outcome.Should().Be(expected.Outcome, expected.Rule);
            actual.EvaluatedMetrics.Keys.Should().BeEquivalentTo(expected.EvaluatedMetrics.Keys, expected.Rule);
            foreach (var (key, value) in expected.EvaluatedMetrics)
            {
                actual.EvaluatedMetrics[key].Should().BeApproximately(value, 1e-9, $"{expected.Rule} {key}");
            }
        }
    }

    [Fact]
    public async Task Athena_SQL_uses_only_Trino_constructs()
    {
        var (_, _, sql) = await EvaluateBoth(CrossEngineTests.Ruleset);

        sql.Should().NotBeEmpty();
        foreach (var query in sql.Where(q => !q.Contains("from primary", StringComparison.Ordinal)))
        {
            var code = Regex.Replace(query, "'(?:[^']|'')*'", "''");
            code.Should().NotContain("`", "Trino quotes identifiers with double quotes");
            code.Should().NotContainAny(["regexp_full_match", "regexp_matches", " ~ ", " REGEXP ", "(?-i)"], "Trino matches with regexp_like");
            code.Should().NotContainAny(["epoch(", "EXTRACT(EPOCH", "TIMESTAMPDIFF", "<=>", "BINARY ", "::", "ILIKE", "STRPOS"]);
            code.Should().NotContain("DOUBLE PRECISION");
            code.Count(c => c == '(').Should().Be(code.Count(c => c == ')'), query);
            query.Count(c => c == '\'').Should().Match(n => n % 2 == 0, query);
        }

        var all = string.Join("\n", sql);
        all.Should().Contain("regexp_like(\"code\", '^[A-Z]{2}[0-9]{2}$')");
        all.Should().Contain("TRY_CAST(");
        all.Should().Contain("date_diff('millisecond', \"created\", TIMESTAMP '2026-11-27 12:00:00.000000')");
        all.Should().Contain("STDDEV_POP(CAST(\"amount\" AS DOUBLE))").And.Contain("CORR(CAST(\"id\" AS DOUBLE), CAST(\"amount\" AS DOUBLE))");
        all.Should().Contain("IS NOT DISTINCT FROM");
    }

    [Fact]
    public async Task Scan_shareable_rules_are_one_aggregate_query_on_Athena_too()
    {
        var (athena, _, _) = await EvaluateBoth("Rules = [ RowCount > 0, IsComplete \"id\", Mean \"amount\" > 1, ColumnValues \"code\" matches \"[a-z]+\" with threshold > 0.1 ]");

        athena.Queries.Where(q => q.Purpose == QueryPurpose.Aggregate).Should().ContainSingle().Which.Sql.Should().StartWith("SELECT COUNT(*) AS m0, ").And.Contain("regexp_like(\"code\", '^[a-z]+$')").And.EndWith(" FROM \"t\"");
    }

    [Theory]
    [InlineData("[A-Z]{2}", "regexp_like(x, '^[A-Z]{2}$')")]
    [InlineData("card|cash", "regexp_like(x, '^(?:card|cash)$')")]
    [InlineData("it's", "regexp_like(x, '^it''s$')")]
    public void A_full_match_is_anchored_and_alternations_stay_whole(string pattern, string expected)
    {
        SqlDialect.Athena.FullMatch("x", pattern).Should().Be(expected);
    }

    [SkippableFact]
    public async Task Through_Athenas_own_protocol_the_rules_give_the_DuckDB_outcomes_and_metrics()
    {
        using var fake = new FakeAws("athena", "AmazonAthena");
        await FakeAthenaOnDuckDb.ServeAsync(fake, fixture.DuckDb);
        var client = fake.JsonClient(region: "eu-west-1");
        await using var athena = new GluePipeline.Aws.AthenaEngine(new GluePipeline.Aws.AthenaQueries(client, poll: TimeSpan.FromMilliseconds(1)), new GluePipeline.Aws.AthenaOptions(Database: "livetest_main_3fa9c1", OutputLocation: "s3://athena-results-1/validation/"));
        var options = new ValidationOptions(Time: new FixedTime(ValidationFixture.Now));
        var document = DqdlParser.Parse("athena.dqdl", CrossEngineTests.Ruleset);
        var references = new Dictionary<string, ValidationDataset> { ["reference"] = new("r", "\"r\"") };

        var onAthena = await new RulesetEvaluator(athena, options).EvaluateAsync(document, new ValidationDataset("t", "\"t\""), references, CancellationToken.None);
        var onDuckDb = await new RulesetEvaluator(fixture.DuckDb, options).EvaluateAsync(document, new ValidationDataset("t", "\"t\""), references, CancellationToken.None);

        onAthena.Rules.Should().NotContain(r => r.Outcome == RuleOutcome.Error, string.Join("\n", onAthena.Rules.Where(r => r.Outcome == RuleOutcome.Error).Select(r => r.Rule + ": " + r.FailureReason)));
        onAthena.Rules.Select(r => r.Outcome).Should().Equal(onDuckDb.Rules.Select(r => r.Outcome));
        for (var i = 0; i < onDuckDb.Rules.Count; i++)
        {
            foreach (var (key, value) in onDuckDb.Rules[i].EvaluatedMetrics)
            {
                onAthena.Rules[i].EvaluatedMetrics[key].Should().BeApproximately(value, 1e-9, $"{onDuckDb.Rules[i].Rule} {key}");
            }
        }

        fake.Requests.Count(r => r.Operation == "StartQueryExecution").Should().BeGreaterThan(0);
        fake.Requests.Where(r => r.Operation == "StartQueryExecution").Should().OnlyContain(r => (string?)r.Body["QueryExecutionContext"]!["Database"] == "livetest_main_3fa9c1");
        fake.Requests.Should().Contain(r => r.Operation == "GetQueryResults" && r.Body["NextToken"] != null, "results longer than a page are read page by page");
        fake.RequestProblems.Should().BeEmpty();
    }
}
