using System.Text;
using GluePipeline.Documents;
using GluePipeline.Stacks;
using GluePipeline.Templates;

namespace GluePipeline.Tests.Stacks;

/// <summary>What the aws lane decides from a template before sending anything: the capabilities to acknowledge.</summary>
public sealed class AwsStackTests
{
    private static CfnTemplate Template(string yaml) =>
        CfnTemplate.From(DocumentParser.Parse("templates/etl.yaml", Encoding.UTF8.GetBytes(yaml), DocumentDialect.CloudFormation))!;

    [Theory]
    [InlineData("Resources:\n  B:\n    Type: AWS::S3::Bucket\n", "")]
    [InlineData("Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n", "CAPABILITY_IAM")]
    [InlineData("Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: glue-etl\n      AssumeRolePolicyDocument: {}\n", "CAPABILITY_NAMED_IAM")]
    [InlineData("Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      ManagedPolicyName: glue-etl\n      PolicyDocument: {}\n", "CAPABILITY_NAMED_IAM")]
    [InlineData("Transform: AWS::LanguageExtensions\nResources:\n  B:\n    Type: AWS::S3::Bucket\n", "CAPABILITY_AUTO_EXPAND")]
    [InlineData("Resources:\n  N:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: https://example.com/t.yaml\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n", "CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND")]
    public void A_template_gets_the_capabilities_it_needs_and_no_more(string yaml, string expected)
    {
        string.Join(',', AwsStack.Capabilities(Template(yaml))).Should().Be(expected);
    }

    [Fact]
    public void Our_template_needs_IAM_but_names_no_IAM_resource()
    {
        var path = Path.Combine(Support.RepositoryRoot.Path, "templates", "etl.yaml");
        var template = CfnTemplate.From(DocumentParser.Parse("templates/etl.yaml", File.ReadAllBytes(path), DocumentDialect.CloudFormation))!;

        AwsStack.Capabilities(template).Should().Equal("CAPABILITY_IAM");
    }
}
