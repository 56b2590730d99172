using GluePipeline.Validation;

namespace GluePipeline.Tests.Validation;

/// <summary>
/// Every rule type's semantics, pinned against values computed by hand from the fixture table
/// (see <see cref="ValidationFixture"/>), on a real DuckDB.
/// </summary>
[Collection(nameof(ValidationCollection))]
public sealed class RuleSemanticsTests(ValidationFixture fixture)
{
    private const double Exact = 1e-9;

    [Theory]
    // RowCount: 5 rows; between excludes both ends, not between includes them.
    [InlineData("RowCount = 5", "Passed", "Dataset.*.RowCount", 5)]
    [InlineData("RowCount between 4 and 6", "Passed", "Dataset.*.RowCount", 5)]
    [InlineData("RowCount between 5 and 6", "Failed", "Dataset.*.RowCount", 5)]
    [InlineData("RowCount between 4 and 5", "Failed", "Dataset.*.RowCount", 5)]
    [InlineData("RowCount not between 5 and 9", "Passed", "Dataset.*.RowCount", 5)]
    [InlineData("RowCount in [3, 5]", "Passed", "Dataset.*.RowCount", 5)]
    [InlineData("RowCount > 2 * 2", "Passed", "Dataset.*.RowCount", 5)]
    [InlineData("RowCount = 2 where \"grp = 'a'\"", "Passed", "Dataset.*.RowCount", 2)]
    // Completeness counts NULL rows in the denominator: 4 of 5 amounts.
    [InlineData("Completeness \"amount\" = 0.8", "Passed", "Column.amount.Completeness", 0.8)]
    [InlineData("Completeness \"amount\" > 0.8", "Failed", "Column.amount.Completeness", 0.8)]
    [InlineData("Completeness \"amount\" >= 0.8", "Passed", "Column.amount.Completeness", 0.8)]
    [InlineData("Completeness \"amount\" = 1.0 where \"id <> 4\"", "Passed", "Column.amount.Completeness", 1.0)]
    [InlineData("IsComplete \"id\"", "Passed", "Column.id.Completeness", 1.0)]
    [InlineData("IsComplete \"name\"", "Failed", "Column.name.Completeness", 0.8)]
    [InlineData("IsComplete \"name\" where \"id > 3\"", "Passed", "Column.name.Completeness", 1.0)]
    // Mean and Sum ignore NULLs: (10+20+30+40)/4 = 25.
    [InlineData("Mean \"amount\" = 25", "Passed", "Column.amount.Mean", 25)]
    [InlineData("Mean \"amount\" between 20 and 25", "Failed", "Column.amount.Mean", 25)]
    [InlineData("Sum \"amount\" = 100", "Passed", "Column.amount.Sum", 100)]
    [InlineData("Sum \"amount\" = 30 where \"grp = 'a'\"", "Passed", "Column.amount.Sum", 30)]
    // Population standard deviation: m2 = 500 over n = 4 -> sqrt(125) = 11.1803 (the sample one would be 12.91).
    [InlineData("StandardDeviation \"amount\" between 11.18 and 11.19", "Passed", "Column.amount.StandardDeviation", 11.180339887498949)]
    [InlineData("Variance \"amount\" = 125", "Passed", "Column.amount.Variance", 125)]
    [InlineData("Range \"amount\" = 30", "Passed", "Column.amount.Range", 30)]
    // Frequencies leave out rows whose key is NULL: grp = a, a, b, c (NULL dropped), n = 4.
    [InlineData("Uniqueness \"grp\" = 0.5", "Passed", "Column.grp.Uniqueness", 0.5)]
    [InlineData("UniqueValueRatio \"grp\" between 0.66 and 0.67", "Passed", "Column.grp.UniqueValueRatio", 2.0 / 3.0)]
    [InlineData("Entropy \"grp\" between 1.039 and 1.040", "Passed", "Column.grp.Entropy", 1.0397207708399179)]
    [InlineData("Entropy \"name\" between 1.386 and 1.387", "Passed", "Column.name.Entropy", 1.3862943611198906)]
    [InlineData("Uniqueness \"grp\" \"id\" = 1.0", "Passed", "Multicolumn.grp,id.Uniqueness", 1.0)]
    [InlineData("IsUnique \"name\"", "Passed", "Column.name.Uniqueness", 1.0)]
    [InlineData("IsUnique \"grp\"", "Failed", "Column.grp.Uniqueness", 0.5)]
    // DistinctValuesCount counts NULL as a value (Deequ's histogram): 4 names + NULL.
    [InlineData("DistinctValuesCount \"name\" = 5", "Passed", "Column.name.DistinctValuesCount", 5)]
    [InlineData("DistinctValuesCount \"grp\" = 4", "Passed", "Column.grp.DistinctValuesCount", 4)]
    // Pearson over rows where both are present: x = 1, 2, 3, 5; y = 10, 20, 30, 40.
    [InlineData("ColumnCorrelation \"id\" \"amount\" > 0.98", "Passed", "Multicolumn.id,amount.ColumnCorrelation", 0.98270762982399)]
    [InlineData("ColumnCount = 7", "Passed", "Dataset.*.ColumnCount", 7)]
    [InlineData("ColumnExists \"id\"", "Passed", "Dataset.id.ColumnExists", 1)]
    [InlineData("ColumnExists \"tip\"", "Failed", "Dataset.tip.ColumnExists", 0)]
    [InlineData("ColumnNamesMatchPattern \"^[a-z]+$\"", "Passed", "Dataset.*.ColumnNamesPatternMatchRatio", 1)]
    [InlineData("ColumnNamesMatchPattern \"a\"", "Failed", "Dataset.*.ColumnNamesPatternMatchRatio", 4.0 / 7.0)]
    public async Task A_metric_rule_measures_and_decides_as_Glue_does(string rule, string outcome, string metric, double value)
    {
        var result = await fixture.One(rule);

        result.Outcome.ToString().Should().Be(outcome, result.FailureReason);
        result.EvaluatedMetrics.Should().ContainKey(metric);
        result.EvaluatedMetrics[metric].Should().BeApproximately(value, 1e-9);
    }

    [Theory]
    // Numeric comparisons: a NULL row fails (amount of row 4).
    [InlineData("ColumnValues \"amount\" > 5", "Failed", 0.8)]
    [InlineData("ColumnValues \"amount\" > 5 with threshold > 0.7", "Passed", 0.8)]
    [InlineData("ColumnValues \"amount\" > 5 with threshold > 0.8", "Failed", 0.8)]
    [InlineData("ColumnValues \"amount\" = 20", "Failed", 0.2)]
    // between excludes its ends: only 20 and 30 pass; not between passes the ends and NULL.
    [InlineData("ColumnValues \"amount\" between 10 and 40", "Failed", 0.4)]
    [InlineData("ColumnValues \"amount\" between 10 and 40 with threshold >= 0.4", "Passed", 0.4)]
    [InlineData("ColumnValues \"amount\" not between 10 and 40", "Failed", 0.6)]
    // Negated comparisons let NULL pass.
    [InlineData("ColumnValues \"amount\" != 20", "Failed", 0.8)]
    [InlineData("ColumnValues \"amount\" not in [20, 30]", "Failed", 0.6)]
    [InlineData("ColumnValues \"amount\" in [10, 20, 30, 40, NULL]", "Passed", 1.0)]
    [InlineData("ColumnValues \"amount\" = NULL", "Failed", 0.2)]
    [InlineData("ColumnValues \"amount\" != NULL", "Failed", 0.8)]
    // Strings: NULL fails "in" unless listed; EMPTY is '' only; WHITESPACES_ONLY is a non-empty blank.
    [InlineData("ColumnValues \"name\" in [\"alice\", \"bob\"]", "Failed", 0.4)]
    [InlineData("ColumnValues \"name\" in [\"alice\", \"bob\", NULL]", "Failed", 0.6)]
    [InlineData("ColumnValues \"name\" not in [\"alice\"]", "Failed", 0.8)]
    [InlineData("ColumnValues \"name\" = \"alice\"", "Failed", 0.2)]
    [InlineData("ColumnValues \"code\" in [EMPTY]", "Failed", 0.2)]
    [InlineData("ColumnValues \"code\" in [WHITESPACES_ONLY]", "Failed", 0.2)]
    [InlineData("ColumnValues \"code\" not in [EMPTY, WHITESPACES_ONLY]", "Failed", 0.6)]
    [InlineData("ColumnValues \"code\" in [\"AB12\", \"CD34\", \"ef56\", EMPTY, WHITESPACES_ONLY]", "Passed", 1.0)]
    // matches is a full match: [A-Z]{2} alone matches none of AB12, CD34.
    [InlineData("ColumnValues \"code\" matches \"[A-Z]{2}[0-9]{2}\"", "Failed", 0.4)]
    [InlineData("ColumnValues \"code\" matches \"[A-Z]{2}\"", "Failed", 0.0)]
    // An alternation is matched as a whole: "AB|CD34" is ^(?:AB|CD34)$, so AB12 does not match.
    [InlineData("ColumnValues \"code\" matches \"AB|CD34\"", "Failed", 0.2)]
    [InlineData("ColumnValues \"code\" matches \"[A-Za-z]{2}[0-9]{2}\" with threshold = 0.6", "Passed", 0.6)]
    [InlineData("ColumnValues \"code\" not matches \"[A-Z]{2}[0-9]{2}\"", "Failed", 0.4)]
    // Dates compare by day with now() = 2026-11-27 12:00 UTC; NULL fails even != .
    [InlineData("ColumnValues \"created\" > (now() - 2 days)", "Failed", 0.6)]
    [InlineData("ColumnValues \"created\" >= \"2026-11-25\"", "Failed", 0.8)]
    [InlineData("ColumnValues \"created\" != \"2026-11-25\"", "Failed", 0.6)]
    [InlineData("ColumnValues \"created\" between \"2026-11-24\" and \"2026-11-28\"", "Failed", 0.8)]
    // ColumnValues with a where clause counts only the filtered rows.
    [InlineData("ColumnValues \"amount\" < 25 where \"grp = 'a'\"", "Passed", 1.0)]
    public async Task ColumnValues_checks_every_row_with_DQDL_NULL_behaviour(string rule, string outcome, double compliance)
    {
        var result = await fixture.One(rule);

        result.Outcome.ToString().Should().Be(outcome, result.FailureReason);
        var column = rule.Split('"')[1];
        result.EvaluatedMetrics[$"Column.{column}.ColumnValues.Compliance"].Should().BeApproximately(compliance, Exact);
    }

    [Fact]
    public async Task Numeric_comparisons_report_the_minimum_or_maximum_they_bound_as_Glue_does()
    {
        var atLeast = await fixture.One("ColumnValues \"amount\" >= 10");
        var below = await fixture.One("ColumnValues \"amount\" < 50");
        var equal = await fixture.One("ColumnValues \"amount\" = 10");

        atLeast.Outcome.Should().Be(RuleOutcome.Failed, "the NULL row fails");
        atLeast.EvaluatedMetrics.Keys.Should().BeEquivalentTo("Column.amount.Minimum", "Column.amount.ColumnValues.Compliance");
        atLeast.EvaluatedMetrics["Column.amount.Minimum"].Should().Be(10);
        atLeast.FailureReason.Should().Contain("80.00 % of rows passed (4 of 5)").And.Contain("NULL rows fail");
        below.EvaluatedMetrics.Keys.Should().BeEquivalentTo("Column.amount.Maximum", "Column.amount.ColumnValues.Compliance");
        below.EvaluatedMetrics["Column.amount.Maximum"].Should().Be(40);
        equal.EvaluatedMetrics.Keys.Should().BeEquivalentTo("Column.amount.Minimum", "Column.amount.Maximum", "Column.amount.ColumnValues.Compliance");
    }

    [Fact]
    public async Task Length_comparisons_report_the_length_they_bound_as_Glue_does()
    {
        (await fixture.One("ColumnLength \"code\" >= 1")).EvaluatedMetrics.Keys.Should().BeEquivalentTo("Column.code.MinimumLength", "Column.code.LengthCompliance");
        (await fixture.One("ColumnLength \"code\" < 9")).EvaluatedMetrics.Keys.Should().BeEquivalentTo("Column.code.MaximumLength", "Column.code.LengthCompliance");
        (await fixture.One("ColumnLength \"code\" between 1 and 9")).EvaluatedMetrics.Keys.Should().BeEquivalentTo("Column.code.MinimumLength", "Column.code.MaximumLength", "Column.code.LengthCompliance");
    }

    [Theory]
    // Length with NULL as 0: code = AB12, CD34, ef56, '', '   ' -> 4, 4, 4, 0, 3.
    [InlineData("ColumnLength \"code\" = 4", "Failed", 0.6)]
    [InlineData("ColumnLength \"code\" between 2 and 5", "Failed", 0.8)]
    [InlineData("ColumnLength \"code\" < 5", "Passed", 1.0)]
    [InlineData("ColumnLength \"name\" >= 3", "Failed", 0.8)]
    [InlineData("ColumnLength \"name\" < 6", "Passed", 1.0)]
    [InlineData("ColumnLength \"name\" in [0, 3, 4, 5]", "Passed", 1.0)]
    public async Task ColumnLength_reads_NULL_as_length_zero(string rule, string outcome, double compliance)
    {
        var result = await fixture.One(rule);

        result.Outcome.ToString().Should().Be(outcome, result.FailureReason);
        var column = rule.Split('"')[1];
        result.EvaluatedMetrics[$"Column.{column}.LengthCompliance"].Should().BeApproximately(compliance, Exact);
    }

    [Theory]
    // Ages in hours: 1, 30, 50, NULL, 2. NULL fails.
    [InlineData("DataFreshness \"created\" <= 24 hours", "Failed", 0.4)]
    [InlineData("DataFreshness \"created\" < 3 days", "Failed", 0.8)]
    [InlineData("DataFreshness \"created\" between 1 hours and 50 hours", "Failed", 0.4)]
    [InlineData("DataFreshness \"created\" <= 2 days where \"created IS NOT NULL\"", "Failed", 0.75)]
    [InlineData("DataFreshness \"created\" <= 180 minutes where \"id IN (1, 5)\"", "Passed", 1.0)]
    public async Task DataFreshness_measures_each_row_age_and_fails_NULL(string rule, string outcome, double compliance)
    {
        var result = await fixture.One(rule);

        result.Outcome.ToString().Should().Be(outcome, result.FailureReason);
        result.EvaluatedMetrics["Column.created.DataFreshness.Compliance"].Should().BeApproximately(compliance, Exact);
    }

    [Theory]
    // flag = true, yes, nope, 1, NULL: Spark reads true, yes and 1 as booleans; NULL fails.
    [InlineData("ColumnDataType \"flag\" = \"BOOLEAN\"", "Failed", 0.6)]
    [InlineData("ColumnDataType \"flag\" = \"boolean\" with threshold >= 0.6", "Passed", 0.6)]
    [InlineData("ColumnDataType \"id\" = \"INTEGER\"", "Passed", 1.0)]
    [InlineData("ColumnDataType \"code\" = \"INTEGER\"", "Failed", 0.0)]
    [InlineData("ColumnDataType \"created\" = \"TIMESTAMP\"", "Failed", 0.8)]
    [InlineData("ColumnDataType \"amount\" = \"DECIMAL(5,1)\"", "Failed", 0.8)]
    [InlineData("ColumnDataType \"flag\" != \"BOOLEAN\"", "Failed", 0.4)]
    public async Task ColumnDataType_checks_each_value_can_be_read_as_the_type(string rule, string outcome, double compliance)
    {
        var result = await fixture.One(rule);

        result.Outcome.ToString().Should().Be(outcome, result.FailureReason);
        var column = rule.Split('"')[1];
        result.EvaluatedMetrics[$"Column.{column}.ColumnDataType.Compliance"].Should().BeApproximately(compliance, Exact);
    }

    [Theory]
    [InlineData("IsPrimaryKey \"id\"", "Passed")]
    [InlineData("IsPrimaryKey \"name\"", "Failed")]
    [InlineData("IsPrimaryKey \"grp\"", "Failed")]
    [InlineData("IsPrimaryKey \"grp\" \"id\"", "Failed")]
    [InlineData("IsPrimaryKey \"id\" \"name\" where \"id <> 3\"", "Passed")]
    public async Task IsPrimaryKey_needs_unique_and_complete(string rule, string outcome)
    {
        var result = await fixture.One(rule);

        result.Outcome.ToString().Should().Be(outcome, result.FailureReason);
    }

    [Fact]
    public async Task IsPrimaryKey_reports_uniqueness_and_each_column_completeness()
    {
        var result = await fixture.One("IsPrimaryKey \"grp\" \"id\"");

        result.EvaluatedMetrics["Multicolumn.grp,id.Uniqueness"].Should().Be(1.0);
        result.EvaluatedMetrics["Column.grp.Completeness"].Should().Be(0.8);
        result.EvaluatedMetrics["Column.id.Completeness"].Should().Be(1.0);
        result.FailureReason.Should().Contain("\"grp\" has NULL values");
    }

    [Fact]
    public async Task CustomSql_reads_primary_as_the_dataset_under_test()
    {
        var result = await fixture.One("CustomSql \"select count(*) from primary where amount > 15\" = 3");

        result.Outcome.Should().Be(RuleOutcome.Passed, result.FailureReason);
        result.EvaluatedMetrics["Dataset.*.CustomSQL"].Should().Be(3);
    }

    [Fact]
    public async Task CustomSql_can_refer_to_primary_columns_qualified_and_to_a_reference()
    {
        var result = await fixture.One("CustomSql \"SELECT COUNT(*) FROM primary JOIN reference ON primary.id = reference.id WHERE reference.name <> primary.name\" = 0");

        result.Outcome.Should().Be(RuleOutcome.Passed, result.FailureReason);
    }

    [Theory]
    [InlineData("CustomSql \"select id from primary where amount > 15\"", "Failed", 0.6)]
    [InlineData("CustomSql \"select id from primary where amount > 15\" with threshold >= 0.6", "Passed", 0.6)]
    [InlineData("CustomSql \"select id, name from primary\"", "Passed", 1.0)]
    public async Task Row_level_CustomSql_passes_the_rows_it_returns(string rule, string outcome, double compliance)
    {
        var result = await fixture.One(rule);

        result.Outcome.ToString().Should().Be(outcome, result.FailureReason);
        result.EvaluatedMetrics["Dataset.*.CustomSQL.Compliance"].Should().BeApproximately(compliance, Exact);
    }

    [Fact]
    public async Task CustomSql_returning_columns_the_dataset_lacks_fails_with_the_reason()
    {
        var result = await fixture.One("CustomSql \"select 1 as x from primary\"");

        result.Outcome.Should().Be(RuleOutcome.Failed);
        result.FailureReason.Should().Contain("only columns of the primary dataset");
    }

    [Theory]
    // r has ids 1, 2, 3, 4, 6, 7 (6 rows); t has 1, 2, 3, 4, 5.
    [InlineData("RowCountMatch \"reference\" between 0.83 and 0.84", "Passed", "Dataset.reference.RowCountMatch", 5.0 / 6.0)]
    [InlineData("ReferentialIntegrity \"id\" \"reference.id\" = 0.8", "Passed", "Column.reference.ReferentialIntegrity", 0.8)]
    [InlineData("ReferentialIntegrity \"id,name\" \"reference.{id,name}\" = 0.6", "Passed", "Column.reference.ReferentialIntegrity", 0.6)]
    [InlineData("DatasetMatch \"reference\" \"id\" \"amount\" = 0.8", "Passed", "Dataset.reference.DatasetMatch", 0.8)]
    [InlineData("DatasetMatch \"reference\" \"id->id\" \"name->name,amount->amount\" = 0.6", "Passed", "Dataset.reference.DatasetMatch", 0.6)]
    [InlineData("AggregateMatch \"sum(amount)\" \"sum(reference.amount)\" between 0.52 and 0.53", "Passed", "Column.amount.AggregateMatch", 100.0 / 190.0)]
    [InlineData("AggregateMatch \"avg(amount)\" \"avg(reference.amount)\" between 0.65 and 0.66", "Passed", "Column.amount.AggregateMatch", 25.0 / 38.0)]
    [InlineData("SchemaMatch \"reference\" = 0", "Passed", "Dataset.reference.SchemaMatch", 0)]
    public async Task Reference_rules_compare_with_the_reference_dataset(string rule, string outcome, string metric, double value)
    {
        var result = await fixture.One(rule);

        result.Outcome.ToString().Should().Be(outcome, result.FailureReason);
        result.EvaluatedMetrics[metric].Should().BeApproximately(value, 1e-9);
    }

    [Fact]
    public async Task DatasetMatch_with_duplicate_keys_is_an_error_not_a_number()
    {
        var result = await fixture.One("DatasetMatch \"reference\" \"grp->name\" \"id\" > 0.5");

        result.Outcome.Should().Be(RuleOutcome.Error, "grp repeats 'a' in the primary dataset");
        result.FailureReason.Should().Contain("keys are not unique");
    }

    [Theory]
    [InlineData("(IsComplete \"id\") and (IsComplete \"name\")", "Failed")]
    [InlineData("(IsComplete \"id\") or (IsComplete \"name\")", "Passed")]
    [InlineData("(IsComplete \"name\") or ((RowCount = 5) and (Mean \"amount\" = 25))", "Passed")]
    [InlineData("((IsComplete \"name\") or (RowCount = 4)) and (IsComplete \"id\")", "Failed")]
    [InlineData("(ColumnValues \"amount\" > 5) or (ColumnValues \"amount\" = NULL)", "Failed")]
    public async Task Composites_combine_their_parts(string rule, string outcome)
    {
        var result = await fixture.One(rule);

        result.Outcome.ToString().Should().Be(outcome, result.FailureReason);
    }

    [Fact]
    public async Task A_composite_reports_every_part_metric_and_the_failing_reasons()
    {
        var result = await fixture.One("(IsComplete \"name\") and (Mean \"amount\" > 30)");

        result.EvaluatedMetrics.Keys.Should().Contain(["Column.name.Completeness", "Column.amount.Mean"]);
        result.FailureReason!.Split('\n').Should().HaveCount(2);
    }

    [Fact]
    public async Task An_empty_table_passes_row_checks_and_fails_measurements()
    {
        var result = await fixture.Evaluate("Rules = [ RowCount = 0, ColumnValues \"amount\" > 0, IsComplete \"id\", Mean \"amount\" > 0, Uniqueness \"id\" > 0.5, IsUnique \"id\" ]", "empty_t");

        result.Rules.Select(r => r.Outcome).Should().Equal(RuleOutcome.Passed, RuleOutcome.Passed, RuleOutcome.Failed, RuleOutcome.Failed, RuleOutcome.Failed, RuleOutcome.Passed);
        result.Rules[1].FailureReason.Should().Be("The dataset has no rows");
        result.Rules[2].FailureReason.Should().Be("The dataset has no rows to check");
    }

    [Fact]
    public async Task Where_clauses_filter_each_rule_on_its_own_within_one_scan()
    {
        var result = await fixture.Evaluate("Rules = [ RowCount = 2 where \"grp = 'a'\", RowCount = 5, Completeness \"name\" = 1 where \"id <> 3\" ]");

        result.Rules.Should().OnlyContain(r => r.Outcome == RuleOutcome.Passed);
        result.Queries.Count(q => q.Purpose == QueryPurpose.Aggregate).Should().Be(1);
    }

    [Fact]
    public async Task An_invalid_where_clause_errors_that_rule_only()
    {
        var result = await fixture.Evaluate("Rules = [ IsComplete \"id\" where \"no_such_column > 1\", RowCount = 5 ]");

        result.Rules[0].Outcome.Should().Be(RuleOutcome.Error);
        result.Rules[0].FailureReason.Should().Contain("where clause");
        result.Rules[1].Outcome.Should().Be(RuleOutcome.Passed);
    }

    [Fact]
    public async Task A_missing_column_fails_with_the_column_named()
    {
        var result = await fixture.One("IsComplete \"nope\"");

        result.Outcome.Should().Be(RuleOutcome.Failed);
        result.FailureReason.Should().Be("Column \"nope\" does not exist in the dataset");
    }

    [Fact]
    public async Task Column_names_are_case_insensitive_as_in_Spark()
    {
        (await fixture.One("IsComplete \"ID\"")).Outcome.Should().Be(RuleOutcome.Passed);
    }

    [Theory]
    [InlineData("DetectAnomalies \"RowCount\"", "no history")]
    [InlineData("RowCount > avg(last(10))", "dynamic rule")]
    [InlineData("FileFreshness \"s3://bucket/prefix/\" > (now() - 3 days)", "S3 files")]
    public async Task An_unsupported_rule_is_an_error_with_a_reason_never_a_pass(string rule, string reason)
    {
        var result = await fixture.One(rule);

        result.Outcome.Should().Be(RuleOutcome.Error);
        result.FailureReason.Should().Contain(reason);
    }

    [Fact]
    public async Task Results_come_back_in_rule_order_with_a_score()
    {
        var result = await fixture.Evaluate("Rules = [ IsComplete \"name\", RowCount = 5, DetectAnomalies \"RowCount\", IsComplete \"id\" ]");

        result.Rules.Select(r => r.Rule).Should().Equal("IsComplete \"name\"", "RowCount = 5", "DetectAnomalies \"RowCount\"", "IsComplete \"id\"");
        result.Rules.Select(r => r.Line).Should().OnlyContain(l => l == 1);
        result.Score.Should().Be(0.5);
    }

    [Fact]
    public async Task Failing_row_rules_come_with_a_bounded_sample_of_the_offending_rows()
    {
        var result = await fixture.Evaluate("ColumnValues \"amount\" >= 15", options: new(SampleSize: 1, Time: new Support.FixedTime(ValidationFixture.Now)));

        var rule = result.Rules.Single();
        rule.Samples.Should().ContainSingle();
        rule.Samples[0]["id"].Should().BeOneOf(1, 4);
    }

    [Fact]
    public async Task Sample_values_can_be_redacted()
    {
        var result = await fixture.Evaluate("IsComplete \"name\"", options: new(RedactSamples: true, Time: new Support.FixedTime(ValidationFixture.Now)));

        result.Rules.Single().Samples.Should().ContainSingle().Which.Values.Should().OnlyContain(v => Equals(v, "***"));
    }

    [Fact]
    public async Task Uniqueness_failures_sample_the_repeated_keys()
    {
        var result = await fixture.One("IsUnique \"grp\"");

        result.Samples.Should().ContainSingle().Which["grp"].Should().Be("a");
        result.Samples[0]["occurrences"].Should().Be(2L);
    }

    [Theory]
    [InlineData("=")]
    [InlineData("!=")]
    [InlineData(">")]
    [InlineData(">=")]
    [InlineData("<")]
    [InlineData("<=")]
    public async Task Dates_on_a_timestamp_column_compare_by_calendar_day_exactly_as_on_text(string op)
    {
        // A TIMESTAMP column is compared with midnight boundaries, a text column is parsed and cast:
        // the outcomes must be the same for every operator and every day around the data.
        await fixture.Engine.ExecuteAsync("CREATE OR REPLACE VIEW t_text AS SELECT id, CAST(created AS VARCHAR) AS created FROM t", CancellationToken.None);
        foreach (var day in new[] { "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28" })
        {
            var rule = $"ColumnValues \"created\" {op} \"{day}\"";
            var onTimestamp = await fixture.One(rule);
            var onText = await fixture.One(rule, "t_text");
            onTimestamp.EvaluatedMetrics["Column.created.ColumnValues.Compliance"].Should().Be(onText.EvaluatedMetrics["Column.created.ColumnValues.Compliance"], rule);
        }

        foreach (var (from, to) in new[] { ("2026-11-24", "2026-11-27"), ("2026-11-25", "2026-11-27"), ("2026-11-26", "2026-11-28") })
        {
            foreach (var rule in new[] { $"ColumnValues \"created\" between \"{from}\" and \"{to}\"", $"ColumnValues \"created\" not between \"{from}\" and \"{to}\"", $"ColumnValues \"created\" in [\"{from}\", \"{to}\"]" })
            {
                (await fixture.One(rule)).EvaluatedMetrics.Should().Equal((await fixture.One(rule, "t_text")).EvaluatedMetrics, rule);
            }
        }
    }
}
