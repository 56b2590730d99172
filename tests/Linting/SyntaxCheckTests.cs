using System.Text;
using GluePipeline.Diagnostics;
using GluePipeline.Linting;

namespace GluePipeline.Tests.Linting;

public sealed class SyntaxCheckTests
{
    private static Diagnostic? Check(string path, string text) => SyntaxCheck.Check(path, Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData("a: 1\nb: [1, 2\n", 3)]
    [InlineData("a:\n  b: 1\n c: 2\n", 3)]
    [InlineData("a: 'unclosed\nb: 2\n", 1)]
    [InlineData("Resources:\n  X:\n    Type: T\n  X:\n    Type: U\n", 4)]
    public void A_yaml_syntax_error_is_reported_at_its_line(string yaml, int line)
    {
        var finding = Check("templates/t.yaml", yaml);

        finding.Should().NotBeNull();
        finding!.Rule.Should().Be(SyntaxCheck.YamlRule);
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

        finding!.Rule.Should().Be(SyntaxCheck.JsonRule);
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
        Check(path, content)!.Rule.Should().Be(SyntaxCheck.EmptyRule);
    }

    [Fact]
    public void A_byte_order_mark_is_allowed()
    {
        SyntaxCheck.Check("t.json", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("{\"a\": 1}")]).Should().BeNull();
    }

    [Fact]
    public void Invalid_utf8_is_reported_at_its_line()
    {
        var finding = SyntaxCheck.Check("t.yaml", [.. Encoding.UTF8.GetBytes("a: 1\nb: "), 0xC3, 0x28, (byte)'\n']);

        finding!.Rule.Should().Be(SyntaxCheck.EncodingRule);
        finding.Location!.Value.Line.Should().Be(2);
    }

    [Theory]
    [InlineData("a.yaml", true)]
    [InlineData("a.YML", true)]
    [InlineData("a.json", true)]
    [InlineData("transform.sql", false)]
    [InlineData("rules.dqdl", false)]
    public void Applies_to_yaml_and_json_files(string path, bool applies) => SyntaxCheck.Applies(path).Should().Be(applies);
}
