using GluePipeline.Diagnostics;
using GluePipeline.Validation.Dqdl;

namespace GluePipeline.Tests.Validation;

public sealed class DqdlParserTests
{
    private static DqdlDocument Parse(string text) => DqdlParser.Parse("rules.dqdl", text);

    private static SimpleRule Rule(string rule) => (SimpleRule)Parse($"Rules = [ {rule} ]").Rules.Single();

    [Fact]
    public void Parses_rules_in_file_order_with_their_text_and_line()
    {
        var document = Parse("# a comment\nRules = [\n  RowCount > 0,\n  IsComplete \"id\" # trailing comment\n]");

        document.Rules.Select(r => r.Text).Should().Equal("RowCount > 0", "IsComplete \"id\"");
        document.Rules.Select(r => r.Location.Line).Should().Equal(3, 4);
    }

    [Fact]
    public void Parses_every_part_of_a_rule_in_the_documented_order()
    {
        var rule = Rule("ColumnValues \"colA\" in [10, 20] where \"colB is NOT NULL\" with threshold > 0.5 labels = [\"team\": \"etl\"]");

        rule.Type.Name.Should().Be("ColumnValues");
        rule.Arguments.Should().Equal("colA");
        rule.Condition.Should().BeOfType<NumberCondition>().Which.Operator.Should().Be(ConditionOperator.In);
        rule.Where.Should().Be("colB is NOT NULL");
        rule.Threshold!.Operator.Should().Be(ConditionOperator.Greater);
        rule.Labels.Should().Contain("team", "etl");
    }

    [Theory]
    [InlineData("Completeness of col_1 > 0.5", "col_1")]
    [InlineData("IsPrimaryKey colA \"col B\"", "colA")]
    [InlineData("ColumnCorrelation of col_1 and \"col abc\" > 0.8", "col_1")]
    public void Arguments_may_be_bare_identifiers_and_follow_of_or_and(string text, string first)
    {
        Rule(text).Arguments[0].Should().Be(first);
    }

    [Theory]
    [InlineData("(IsComplete \"a\") and (IsComplete \"b\")", CompositeOperator.And)]
    [InlineData("(IsComplete \"a\") OR (IsComplete \"b\")", CompositeOperator.Or)]
    [InlineData("((IsComplete \"a\") and (IsComplete \"b\")) or (RowCount > 0)", CompositeOperator.Or)]
    public void Composites_nest_with_and_binding_tighter_than_or(string text, CompositeOperator op)
    {
        var rule = Parse($"Rules = [ {text} ]").Rules.Single();

        rule.Should().BeOfType<CompositeRule>().Which.Operator.Should().Be(op);
        rule.Text.Should().Be(text);
    }

    [Fact]
    public void And_binds_tighter_than_or()
    {
        var rule = (CompositeRule)Parse("Rules = [ (RowCount > 0) or (RowCount > 1) and (RowCount > 2) ]").Rules.Single();

        rule.Operator.Should().Be(CompositeOperator.Or);
        rule.Right.Should().BeOfType<CompositeRule>().Which.Operator.Should().Be(CompositeOperator.And);
    }

    [Fact]
    public void Variables_feed_in_lists_and_arguments()
    {
        var document = Parse("col = \"status\"\nallowed = [\"open\", \"closed\", NULL]\nRules = [ ColumnValues $col in $allowed ]");

        var rule = (SimpleRule)document.Rules.Single();
        rule.Arguments.Should().Equal("status");
        ((StringCondition)rule.Condition!).Operands.Should().HaveCount(3).And.ContainSingle(o => o is NullString);
    }

    [Fact]
    public void Metadata_data_sources_and_default_labels_are_read()
    {
        var document = Parse("Metadata = { \"Version\": \"1.0\" }\nDataSources = { \"Primary\": \"orders\", \"AdditionalDataSources\": [\"ref1\", \"ref2\"] }\nDefaultLabels = [\"owner\": \"data\"]\nRules = [ RowCount > 0 labels = [\"owner\": \"me\", \"tier\": \"1\"] ]");

        document.Metadata["Version"].Should().Be("1.0");
        document.PrimarySource.Should().Be("orders");
        document.AdditionalSources.Should().Equal("ref1", "ref2");
        ((SimpleRule)document.Rules.Single()).Labels.Should().BeEquivalentTo(new Dictionary<string, string> { ["owner"] = "me", ["tier"] = "1" });
    }

    [Fact]
    public void Strings_keep_escapes_in_equals_and_resolve_them_in_lists_as_DQDL_does()
    {
        ((StringValue)((StringCondition)Rule("ColumnValues \"c\" in [\"a\\\"b\", \"c\"]").Condition!).Operands[0]).Value.Should().Be("a\"b");
        ((StringValue)((StringCondition)Rule("ColumnValues \"c\" matches \"\\d+\"").Condition!).Operands[0]).Value.Should().Be("\\d+");
    }

    [Theory]
    [InlineData("ColumnValues \"d\" > (now() - 3 days)", typeof(DateCondition))]
    [InlineData("ColumnValues \"d\" between \"2024-01-01\" and now()", typeof(DateCondition))]
    [InlineData("DataFreshness \"d\" <= 24 hours", typeof(DurationCondition))]
    [InlineData("ColumnValues \"n\" between -5 and 5.5", typeof(NumberCondition))]
    [InlineData("ColumnValues \"s\" in [EMPTY, WHITESPACES_ONLY, \"x\"]", typeof(StringCondition))]
    [InlineData("ColumnValues \"s\" = NULL", typeof(NumberCondition))]
    [InlineData("ColumnValues \"s\" not matches \"[a-z]+\"", typeof(StringCondition))]
    public void Conditions_are_typed_by_their_operands(string text, Type type)
    {
        Rule(text).Condition.Should().BeOfType(type);
    }

    [Fact]
    public void Windows_line_endings_and_a_final_comment_without_newline_are_fine()
    {
        Parse("Rules = [\r\n  RowCount > 0\r\n]\r\n# done").Rules.Should().ContainSingle();
    }

    [Fact]
    public void Arithmetic_in_conditions_has_one_precedence_level_as_in_DQDL()
    {
        var condition = (NumberCondition)Rule("RowCount > 1 + 2 * 3").Condition!;

        GluePipeline.Validation.MetricConditions.Evaluate(condition.Operands[0]).Should().Be(9);
    }

    public static TheoryData<string, string, int, int, string> Malformed() => new()
    {
        // file text, rule id, line, column, message fragment
        { "", "DQDL-SYNTAX", 1, 1, "no Rules list" },
        { "Rules = []", "DQDL-SYNTAX", 1, 10, "The Rules list is empty" },
        { "Rules = [ RowCount > 0", "DQDL-SYNTAX", 1, 23, "Unexpected the end of the file after the rule" },
        { "Rules [ RowCount > 0 ]", "DQDL-SYNTAX", 1, 7, "Expected '=' after Rules" },
        { "Rules = [ RowCount > 0, ]", "DQDL-SYNTAX", 1, 25, "A comma is followed by no rule" },
        { "Rules = [ RowCont > 0 ]", "DQDL-RULE", 1, 11, "Unknown rule type 'RowCont'. Fix: did you mean RowCount?" },
        { "Rules = [\n  IsComplete \"a\" \"b\"\n]", "DQDL-RULE", 2, 3, "IsComplete takes 1 argument, not 2" },
        { "Rules = [ IsComplete ]", "DQDL-RULE", 1, 11, "IsComplete takes 1 argument, not 0" },
        { "Rules = [ RowCount ]", "DQDL-RULE", 1, 20, "RowCount needs a condition" },
        { "Rules = [ IsComplete \"a\" > 0.5 ]", "DQDL-RULE", 1, 26, "IsComplete is a yes/no check and takes no condition" },
        { "Rules = [ Completeness \"a\" in [\"x\"] ]", "DQDL-RULE", 1, 28, "does not take a string condition" },
        { "Rules = [ DataFreshness \"a\" > 5 ]", "DQDL-RULE", 1, 29, "does not take a number condition" },
        { "Rules = [ RowCount > \"many\" ]", "DQDL-SYNTAX", 1, 20, "Strings cannot be compared" },
        { "Rules = [ ColumnValues \"a\" > \"b\" ]", "DQDL-SYNTAX", 1, 28, "Strings cannot be compared" },
        { "Rules = [ ColumnValues \"a\" between 1 ]", "DQDL-SYNTAX", 1, 38, "Expected 'and' in between" },
        { "Rules = [ ColumnValues \"a\" in [1, \"x\"] ]", "DQDL-SYNTAX", 1, 28, "mixes numbers and strings" },
        { "Rules = [ ColumnValues \"a\" in [] ]", "DQDL-SYNTAX", 1, 32, "The list is empty" },
        { "Rules = [ ColumnValues \"a\" in [\"x\" \"y\"] ]", "DQDL-SYNTAX", 1, 36, "Expected ']' to close the list" },
        { "Rules = [ ColumnValues \"a\" matches \"[a-\" ]", "DQDL-SYNTAX", 1, 36, "regular expression is not valid" },
        { "Rules = [ ColumnValues \"a\" > 5 with threshold 0.5 ]", "DQDL-SYNTAX", 1, 47, "Expected a condition" },
        { "Rules = [ RowCount > 5 with threshold > 0.5 ]", "DQDL-RULE", 1, 24, "RowCount does not take a threshold" },
        { "Rules = [ RowCountMatch \"ref\" > 0.9 where \"a > 1\" ]", "DQDL-RULE", 1, 37, "RowCountMatch does not take a where clause" },
        { "Rules = [ IsComplete \"a\" where \"\" ]", "DQDL-SYNTAX", 1, 32, "The where clause is empty" },
        { "Rules = [ IsComplete \"a\" where a > 1 ]", "DQDL-SYNTAX", 1, 32, "Expected a quoted SQL condition" },
        { "Rules = [ IsComplete \"a\" and IsComplete \"b\" ]", "DQDL-SYNTAX", 1, 26, "must be in parentheses" },
        { "Rules = [ (IsComplete \"a\" ]", "DQDL-SYNTAX", 1, 27, "Expected ')'" },
        { "Rules = [ IsComplete \"a ]", "DQDL-SYNTAX", 1, 22, "The string is not closed" },
        { "Rules = [ IsComplete 'a' ]", "DQDL-SYNTAX", 1, 22, "double quotes" },
        { "Rules = [ IsComplete \"a\" ] trailing", "DQDL-SYNTAX", 1, 28, "after the Rules list" },
        { "Rules = [ RowCount > 0 ]\nMetadata = { \"Version\": \"1\" }", "DQDL-SYNTAX", 2, 1, "Unexpected 'Metadata' after the Rules list" },
        { "Metadata = { \"Owner\": \"me\" }\nRules = [ RowCount > 0 ]", "DQDL-SYNTAX", 1, 14, "Unsupported key \"Owner\" in Metadata" },
        { "Rules = [ ColumnValues \"a\" in $missing ]", "DQDL-SYNTAX", 1, 32, "Variable not found: missing" },
        { "x = \"1\"\nx = \"2\"\nRules = [ RowCount > 0 ]", "DQDL-SYNTAX", 2, 1, "already defined" },
        { "Rules = [ ColumnDataType \"a\" = \"INTEGR\" ]", "DQDL-RULE", 1, 11, "does not know the type \"INTEGR\"" },
        { "Rules = [ ColumnDataType \"a\" in [\"INTEGER\"] ]", "DQDL-RULE", 1, 11, "ColumnDataType takes = \"TYPE\"" },
        { "Rules = [ AggregateMatch \"max(a)\" \"sum(b)\" > 0.9 ]", "DQDL-RULE", 1, 11, "sum(...) or avg(...)" },
        { "Rules = [ ReferentialIntegrity \"a\" \"b\" > 0.9 ]", "DQDL-RULE", 1, 11, "must name a dataset alias" },
        { "Rules = [ RowCount > 0 labels = [\"k\": \"1\", \"k\": \"2\"] ]", "DQDL-SYNTAX", 1, 44, "Duplicate label key" },
        { "Rules = [ ColumnValues \"d\" > \"2024-13-45\" ]", "DQDL-SYNTAX", 1, 30, "is not a calendar date" },
        { "Rules = [ ColumnValues \"d\" > (now() - 3 weeks) ]", "DQDL-SYNTAX", 1, 41, "Expected days, hours or minutes" },
        { "Analyzers = [ RowCount ]", "DQDL-SYNTAX", 1, 1, "Analyzers are not evaluated" },
        { "Rules = [ RowCount > 0 ; ]", "DQDL-SYNTAX", 1, 24, "Unexpected character ';'" },
        { "Rules = [ ColumnValues \"a\" > NULL ]", "DQDL-SYNTAX", 1, 28, "NULL cannot be compared" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_rule_file_gives_a_clear_error_at_its_line_and_column(string text, string rule, int line, int column, string message)
    {
        var act = () => DqdlParser.Parse("bad.dqdl", text);

        var error = act.Should().Throw<PipelineInputException>().Which.Diagnostics[0];
        error.Rule.Should().Be(rule);
        error.Location.Should().Be(new SourceLocation("bad.dqdl", line, column));
        error.ToString().Should().Contain(message);
        error.Fix.Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public void There_are_at_least_30_malformed_cases()
    {
        Malformed().Count().Should().BeGreaterThanOrEqualTo(30);
    }

    [Fact]
    public void Every_broken_rule_of_a_file_is_reported_at_once()
    {
        var act = () => DqdlParser.Parse("bad.dqdl", "Rules = [\n  RowCont > 0,\n  IsComplete,\n  RowCount > 0\n]");

        act.Should().Throw<PipelineInputException>().Which.Diagnostics.Select(d => d.Location!.Value.Line).Should().Equal(2, 3);
    }

    private const string Noise = "[]()\",=<>!$#\n'-.";

    [Fact]
    public void Random_mutations_of_a_valid_file_never_crash_the_parser()
    {
        var valid = "Rules = [\n  RowCount between 1 and 10,\n  (IsComplete \"a\") or (ColumnValues \"b\" in [\"x\", NULL] with threshold > 0.5),\n  ColumnValues \"d\" > (now() - 3 days) where \"x > 1\",\n  DataFreshness \"d\" <= 24 hours\n]";
        var random = new Random(6);
        for (var i = 0; i < 3000; i++)
        {
            var text = valid;
            var at = random.Next(text.Length);
            text = random.Next(3) switch
            {
                0 => text.Remove(at, Math.Min(random.Next(1, 6), text.Length - at)),
                1 => text.Insert(at, Noise[random.Next(Noise.Length)].ToString()),
                _ => text[..at],
            };

            IReadOnlyList<GluePipeline.Diagnostics.Diagnostic> findings;
            DqdlDocument? document;
            try
            {
                (document, findings) = DqdlParser.TryParse("m.dqdl", text);
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException("The parser crashed on:\n" + text, ex);
            }

            (document is not null || findings.Count > 0).Should().BeTrue();
            findings.Should().NotContain(f => f.Location!.Value.Line < 1 || f.Location.Value.Column < 1);
        }
    }
}
