using GluePipeline.Validation;

namespace GluePipeline.Tests.Validation;

/// <summary>The engine's promise: scan-shareable rules of a dataset cost one aggregate query together.</summary>
[Collection(nameof(ValidationCollection))]
public sealed class SingleScanTests(ValidationFixture fixture)
{
    private const string ScanShareable = """
        Rules = [
          RowCount = 5,
          RowCount = 2 where "grp = 'a'",
          Completeness "amount" >= 0.8,
          IsComplete "id",
          Mean "amount" = 25,
          Sum "amount" = 100,
          StandardDeviation "amount" < 12,
          Variance "amount" = 125,
          ColumnValues "amount" between 0 and 100 with threshold >= 0.8,
          ColumnValues "name" in ["alice", "bob", "dave", "eve", NULL],
          ColumnValues "code" matches "[A-Za-z0-9 ]*" with threshold > 0.5,
          ColumnLength "code" < 5,
          DataFreshness "created" < 3 days with threshold > 0,
          ColumnCorrelation "id" "amount" > 0.9,
          DistinctValuesCount "grp" = 4,
          ColumnDataType "id" = "INTEGER",
          ColumnExists "id",
          ColumnCount = 7
        ]
        """;

    [Fact]
    public async Task N_scan_shareable_rules_issue_exactly_one_aggregate_query()
    {
        var result = await fixture.Evaluate(ScanShareable.Replace("DataFreshness \"created\" < 3 days with threshold > 0,\n", string.Empty, StringComparison.Ordinal));

        result.Rules.Should().HaveCount(17);
        result.Rules.Where(r => r.Outcome != RuleOutcome.Passed).Should().BeEmpty(string.Join("\n", result.Rules.Select(r => r.Rule + ": " + r.FailureReason)));
        result.Queries.Where(q => q.Purpose == QueryPurpose.Aggregate).Should().ContainSingle();
        result.Queries.Select(q => q.Purpose).Should().Equal(QueryPurpose.Schema, QueryPurpose.Aggregate);
    }

    [Fact]
    public async Task Uniqueness_rules_share_one_group_by_per_key_set()
    {
        var result = await fixture.Evaluate("Rules = [ Uniqueness \"grp\" = 0.5, UniqueValueRatio \"grp\" > 0.6, Entropy \"grp\" > 1, IsUnique \"id\", Uniqueness \"id\" = 1.0, RowCount = 5 ]");

        result.AllPassed.Should().BeTrue(string.Join("\n", result.Rules.Select(r => r.Rule + ": " + r.FailureReason)));
        result.Queries.Count(q => q.Purpose == QueryPurpose.Grouping).Should().Be(2, "one GROUP BY for grp, one for id");
        result.Queries.Count(q => q.Purpose == QueryPurpose.Aggregate).Should().Be(1);
    }

    [Fact]
    public async Task A_where_clause_gets_its_own_grouping_but_not_its_own_scan()
    {
        var result = await fixture.Evaluate("Rules = [ Uniqueness \"grp\" = 0.5, Uniqueness \"grp\" = 1.0 where \"grp <> 'a'\", Completeness \"grp\" = 0.75 where \"id > 1\" ]");

        result.AllPassed.Should().BeTrue(string.Join("\n", result.Rules.Select(r => r.Rule + ": " + r.FailureReason)));
        result.Queries.Count(q => q.Purpose == QueryPurpose.Grouping).Should().Be(2);
        result.Queries.Count(q => q.Purpose == QueryPurpose.Aggregate).Should().Be(1);
    }

    [Fact]
    public async Task Only_failing_row_rules_add_a_sample_query()
    {
        var result = await fixture.Evaluate("Rules = [ IsComplete \"name\", IsComplete \"id\", ColumnValues \"amount\" > 15 ]");

        result.Queries.Count(q => q.Purpose == QueryPurpose.Sample).Should().Be(2);
        result.Queries.Count(q => q.Purpose == QueryPurpose.Aggregate).Should().Be(1);
    }
}
