using System.Text.Json.Nodes;
using GluePipeline.Aws;
using GluePipeline.Diagnostics;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Aws;

/// <summary>Region, credentials and endpoints as the SDKs resolve them, and the STS caller-identity preflight against the fake.</summary>
public sealed class AwsEnvironmentTests : IDisposable
{
    private readonly FakeAws _sts = new("sts");

    public void Dispose() => _sts.Dispose();

    private Dictionary<string, string?> Variables => new()
    {
        ["AWS_REGION"] = "eu-west-1",
        ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE",
        ["AWS_SECRET_ACCESS_KEY"] = "secret",
        ["AWS_ENDPOINT_URL_STS"] = _sts.Endpoint.ToString(),
    };

    [SkippableFact]
    public async Task The_preflight_says_who_the_credentials_are_signed_for_the_region()
    {
        _sts.Returns("GetCallerIdentity", new JsonObject { ["Account"] = "123456789012", ["Arn"] = "arn:aws:sts::123456789012:assumed-role/codebuild-glue-etl/build", ["UserId"] = "AROAEXAMPLE:build" });

        var identity = await AwsEnvironment.Resolve(Variables).CallerIdentityAsync(CancellationToken.None);

        identity.Should().Be(new CallerIdentity("123456789012", "arn:aws:sts::123456789012:assumed-role/codebuild-glue-etl/build", "AROAEXAMPLE:build"));
        _sts.Requests.Single().Headers["Authorization"].Should().Contain("/eu-west-1/sts/aws4_request");
        _sts.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public void Endpoints_follow_the_SDKs_variables_else_the_region()
    {
        var variables = Variables;
        variables["AWS_ENDPOINT_URL"] = "http://localhost:4566";

        var aws = AwsEnvironment.Resolve(variables);

        aws.Endpoint("sts", "sts").Should().Be(_sts.Endpoint);
        aws.Endpoint("glue", "glue").Should().Be(new Uri("http://localhost:4566/"));
        (aws with { Environment = new Dictionary<string, string?>() }).Endpoint("cloudformation", "cloudformation").Should().Be(new Uri("https://cloudformation.eu-west-1.amazonaws.com/"));
    }

    [Theory]
    [InlineData("AWS_REGION", "AWS-REGION", "set AWS_REGION")]
    [InlineData("AWS_ACCESS_KEY_ID", "AWS-CREDENTIALS", "set AWS_PROFILE")]
    public void What_is_missing_is_one_clear_error_with_the_fix(string unset, string rule, string fix)
    {
        var variables = Variables;
        variables.Remove(unset);

        var resolve = () => AwsEnvironment.Resolve(variables);

        var error = resolve.Should().Throw<PipelineInputException>().Which.Diagnostics.Single();
        error.Rule.Should().Be(rule);
        error.Fix.Should().StartWith(fix);
    }
}
