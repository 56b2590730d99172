using System.Text;
using GluePipeline.Diagnostics;
using GluePipeline.Documents;

namespace GluePipeline.Tests.Documents;

public sealed class DocumentParserTests
{
    private static Diagnostic? Check(string path, string text) => Check(path, Encoding.UTF8.GetBytes(text));

    private static Diagnostic? Check(string path, byte[] bytes) => DocumentParser.Parse(path, bytes, DocumentDialect.CloudFormation).Diagnostics.FirstOrDefault();

    [Theory]
    [InlineData("a: 1\nb: [1, 2\n", 3)]
    [InlineData("a:\n  b: 1\n c: 2\n", 3)]
    [InlineData("a: 'unclosed\nb: 2\n", 1)]
    [InlineData("Resources:\n  X:\n    Type: T\n  X:\n    Type: U\n", 4)]
    public void A_yaml_syntax_error_is_reported_at_its_line(string yaml, int line)
    {
        var finding = Check("templates/t.yaml", yaml);

        finding.Should().NotBeNull();
        finding!.Rule.Should().BeOneOf(DocumentParser.YamlRule, DocumentParser.DuplicateKeyRule);
        finding.Severity.Should().Be(Severity.Error);
        finding.Location!.Value.Source.Should().Be("templates/t.yaml");
        finding.Location.Value.Line.Should().Be(line);
        finding.Location.Value.Column.Should().BePositive();
        finding.Fix.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public void A_duplicate_key_says_to_remove_it()
    {
        var finding = Check("t.yaml", "a: 1\na: 2\n");

        finding!.ToString().Should().Contain("Fix: remove or rename the repeated key");
    }

    [Fact]
    public void CloudFormation_short_form_tags_are_well_formed_yaml()
    {
        var yaml = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub '${AWS::StackName}-x'\n      Tags: !If [Cond, !Ref AWS::NoValue, []]\nOutputs:\n  A:\n    Value: !GetAtt [B, Arn]\n";

        Check("t.yaml", yaml).Should().BeNull();
    }

    [Theory]
    [InlineData("{\"a\": 1,}", 1, 9)]
    [InlineData("{\n  \"a\": 1\n  \"b\": 2\n}", 3, 3)]
    [InlineData("{\"é\": [1, 2}", 1, 12)]
    public void A_json_syntax_error_is_reported_at_its_line_and_character_column(string json, int line, int column)
    {
        var finding = Check("templates/environments/prod.json", json);

        finding!.Rule.Should().Be(DocumentParser.JsonRule);
        finding.Location!.Value.Line.Should().Be(line);
        finding.Location.Value.Column.Should().Be(column);
        finding.Message.Should().NotContain("Path:").And.NotContain("LineNumber");
    }

    [Theory]
    [InlineData("t.yaml", "")]
    [InlineData("t.yaml", "  \n# only a comment\n")]
    [InlineData("t.json", "\n")]
    public void An_empty_file_is_an_error(string path, string content)
    {
        Check(path, content)!.Rule.Should().Be(DocumentParser.EmptyRule);
    }

    [Fact]
    public void A_byte_order_mark_is_allowed()
    {
        Check("t.json", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("{\"a\": 1}")]).Should().BeNull();
    }

    [Fact]
    public void Invalid_utf8_is_reported_at_its_line()
    {
        var finding = Check("t.yaml", [.. Encoding.UTF8.GetBytes("a: 1\nb: "), 0xC3, 0x28, (byte)'\n']);

        finding!.Rule.Should().Be(DocumentParser.EncodingRule);
        finding.Location!.Value.Line.Should().Be(2);
    }

    [Theory]
    [InlineData("a.yaml", true)]
    [InlineData("a.YML", true)]
    [InlineData("a.json", true)]
    [InlineData("transform.sql", false)]
    [InlineData("rules.dqdl", false)]
    public void Applies_to_yaml_and_json_files(string path, bool applies) => DocumentParser.Applies(path).Should().Be(applies);
}

public sealed class DocumentParserTreeTests
{
    private static DocumentNode Root(string path, string text, DocumentDialect dialect = DocumentDialect.CloudFormation)
    {
        var parsed = DocumentParser.ParseText(path, text, dialect);
        parsed.Diagnostics.Should().BeEmpty();
        return parsed.Root!;
    }

    [Fact]
    public void Every_yaml_node_carries_its_1_based_line_and_column()
    {
        var root = (MappingNode)Root("t.yaml", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    DependsOn: [A, B]\n");

        var bucket = root.Entry("Resources")!.Value is MappingNode r ? r.Entry("Bucket")! : null;
        bucket!.KeyLocation.Should().Be(new SourceLocation("t.yaml", 2, 3));
        var def = (MappingNode)bucket.Value;
        def["Type"]!.Location.Should().Be(new SourceLocation("t.yaml", 3, 11));
        ((SequenceNode)def["DependsOn"]!).Items[1].Location.Should().Be(new SourceLocation("t.yaml", 4, 20));
    }

    [Fact]
    public void Every_json_node_carries_its_line_and_character_column()
    {
        var root = (MappingNode)Root("t.json", "{\n  \"Résumé\": {\n    \"Type\": \"AWS::SNS::Topic\", \"N\": 3\n  }\n}\n");

        var entry = root.Entry("Résumé")!;
        entry.KeyLocation.Should().Be(new SourceLocation("t.json", 2, 3));
        var def = (MappingNode)entry.Value;
        def["Type"]!.Location.Should().Be(new SourceLocation("t.json", 3, 13));
        def["N"].Should().BeOfType<ScalarNode>().Which.Kind.Should().Be(ScalarKind.Number);
        def["N"]!.Location.Should().Be(new SourceLocation("t.json", 3, 37));
    }

    [Theory]
    [InlineData("!Ref Bucket", "Ref", "\"Bucket\"")]
    [InlineData("!GetAtt Bucket.Arn", "Fn::GetAtt", "[\"Bucket\",\"Arn\"]")]
    [InlineData("!GetAtt Db.Endpoint.Address", "Fn::GetAtt", "[\"Db\",\"Endpoint.Address\"]")]
    [InlineData("!GetAtt [Bucket, Arn]", "Fn::GetAtt", "[\"Bucket\",\"Arn\"]")]
    [InlineData("!Sub 'x-${AWS::Region}'", "Fn::Sub", "\"x-${AWS::Region}\"")]
    [InlineData("!Sub ['${A}', {A: 1}]", "Fn::Sub", "[\"${A}\",{\"A\":\"1\"}]")]
    [InlineData("!If [C, !Ref A, !Ref AWS::NoValue]", "Fn::If", "[\"C\",{\"Ref\":\"A\"},{\"Ref\":\"AWS::NoValue\"}]")]
    [InlineData("!Condition IsProd", "Condition", "\"IsProd\"")]
    [InlineData("!GetAZs ''", "Fn::GetAZs", "\"\"")]
    [InlineData("!Base64 {\"Fn::Sub\": x}", "Fn::Base64", "{\"Fn::Sub\":\"x\"}")]
    public void Short_form_tags_become_the_long_form(string yaml, string function, string argument)
    {
        var root = (MappingNode)Root("t.yaml", "Value: " + yaml + "\n");

        var call = (MappingNode)root["Value"]!;
        call.Entries.Should().ContainSingle().Which.Key.Should().Be(function);
        Render(call.Entries[0].Value).Should().Be(argument);
        call.Location.Line.Should().Be(1);
    }

    private static string Render(DocumentNode node) => node switch
    {
        ScalarNode s => "\"" + s.Value + "\"",
        SequenceNode l => "[" + string.Join(",", l.Items.Select(Render)) + "]",
        MappingNode m => "{" + string.Join(",", m.Entries.Select(e => "\"" + e.Key + "\":" + Render(e.Value))) + "}",
        _ => "?",
    };

    [Fact]
    public void Plain_scalars_are_typed_like_yaml_1_2_and_quoted_ones_stay_strings()
    {
        var root = (MappingNode)Root("t.yaml", "a: 12\nb: '12'\nc: true\nd: ~\ne: 2012-10-17\nf: 1.5e3\n");

        ((ScalarNode)root["a"]!).Kind.Should().Be(ScalarKind.Number);
        ((ScalarNode)root["b"]!).Kind.Should().Be(ScalarKind.String);
        ((ScalarNode)root["c"]!).Kind.Should().Be(ScalarKind.Boolean);
        ((ScalarNode)root["d"]!).Kind.Should().Be(ScalarKind.Null);
        ((ScalarNode)root["e"]!).Kind.Should().Be(ScalarKind.String, "CloudFormation keeps dates as text");
        ((ScalarNode)root["f"]!).Kind.Should().Be(ScalarKind.Number);
    }

    [Fact]
    public void An_unknown_tag_is_an_error_with_a_suggestion()
    {
        var parsed = DocumentParser.ParseText("t.yaml", "a: !Reff B\n", DocumentDialect.CloudFormation);

        parsed.Diagnostics.Should().ContainSingle().Which.ToString().Should().Be("t.yaml:1:4: error YAML-TAG: Unknown tag '!Reff'. Fix: did you mean !Ref?");
    }

    [Fact]
    public void Short_forms_are_only_for_templates()
    {
        var parsed = DocumentParser.ParseText("jobs/x/job.yaml", "source: !Ref Bucket\n", DocumentDialect.Plain);

        parsed.Diagnostics.Should().ContainSingle().Which.Rule.Should().Be(DocumentParser.TagRule);
    }

    [Fact]
    public void Anchors_and_aliases_are_refused_in_templates()
    {
        var parsed = DocumentParser.ParseText("t.yaml", "a: &tags [x]\nb: *tags\n", DocumentDialect.CloudFormation);

        parsed.Diagnostics.Should().ContainSingle().Which.Rule.Should().Be(DocumentParser.AliasRule);
    }

    [Fact]
    public void Two_yaml_documents_in_one_file_are_an_error()
    {
        var parsed = DocumentParser.ParseText("t.yaml", "a: 1\n---\nb: 2\n", DocumentDialect.CloudFormation);

        parsed.Diagnostics.Should().ContainSingle().Which.Location!.Value.Line.Should().Be(3);
    }

    [Fact]
    public void A_repeated_json_key_is_an_error_at_the_repetition()
    {
        var parsed = DocumentParser.ParseText("t.json", "{\"a\": 1,\n \"a\": 2}", DocumentDialect.Plain);

        parsed.IsParseable.Should().BeTrue();
        parsed.Diagnostics.Should().ContainSingle().Which.ToString().Should().StartWith("t.json:2:2: error DUPLICATE-KEY");
        ((ScalarNode)((MappingNode)parsed.Root!)["a"]!).Value.Should().Be("2");
    }
}
