using System.Text.Json.Nodes;
using Amazon.Runtime;
using GluePipeline.Aws;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Aws;

/// <summary>
/// The Query-protocol thin client (CloudFormation) against the fake: members flattened the Query
/// way and read back by the fake into botocore's shapes, XML answers turned into the structured
/// form, errors from ErrorResponse, throttling retried.
/// </summary>
public sealed class AwsQueryClientTests : IDisposable
{
    private readonly FakeAws _cloudFormation = new("cloudformation");

    public void Dispose() => _cloudFormation.Dispose();

    private AwsQueryClient Client => new(
        AwsHttp.Signed(new BasicAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "eu-west-1", "cloudformation", _cloudFormation.Endpoint),
        "cloudformation",
        "2010-05-15",
        new AwsRetryPolicy(MaxAttempts: 3, Base: TimeSpan.FromMilliseconds(1)));

    private static JsonObject ChangeSet => new()
    {
        ["StackName"] = "livetest-main-3fa9c1",
        ["ChangeSetName"] = "pipeline-1",
        ["ChangeSetType"] = "CREATE",
        ["TemplateBody"] = "Resources: {}",
        ["Capabilities"] = new JsonArray("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"),
        ["Parameters"] = new JsonArray(
            new JsonObject { ["ParameterKey"] = "Environment", ["ParameterValue"] = "livetest" },
            new JsonObject { ["ParameterKey"] = "NameSuffix", ["ParameterValue"] = "livetest_main_3fa9c1" }),
        ["Tags"] = new JsonArray(new JsonObject { ["Key"] = "pipeline", ["Value"] = "glue-etl" }),
    };

    [Fact]
    public void Members_flatten_the_Query_way()
    {
        var form = AwsQueryClient.Form("CreateChangeSet", "2010-05-15", ChangeSet).Select(f => $"{f.Key}={f.Value}").ToArray();

        form.Should().StartWith(["Action=CreateChangeSet", "Version=2010-05-15"]).And.Contain([
            "Capabilities.member.1=CAPABILITY_IAM", "Capabilities.member.2=CAPABILITY_NAMED_IAM",
            "Parameters.member.1.ParameterKey=Environment", "Parameters.member.1.ParameterValue=livetest",
            "Parameters.member.2.ParameterKey=NameSuffix", "Tags.member.1.Key=pipeline", "Tags.member.1.Value=glue-etl",
        ]);
    }

    [SkippableFact]
    public async Task A_change_set_request_reaches_the_fake_in_botocores_shape_and_the_XML_answer_comes_back_structured()
    {
        Skip.If(_cloudFormation.Model is null, "python3-botocore is not installed");
        _cloudFormation.Returns("CreateChangeSet", new JsonObject { ["Id"] = "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/pipeline-1/abc", ["StackId"] = "arn:aws:cloudformation:eu-west-1:123456789012:stack/livetest-main-3fa9c1/def" });
        _cloudFormation.Returns("DescribeStacks", new JsonObject
        {
            ["Stacks"] = new JsonArray(new JsonObject
            {
                ["StackName"] = "livetest-main-3fa9c1",
                ["CreationTime"] = "2026-11-27T10:00:00Z",
                ["StackStatus"] = "REVIEW_IN_PROGRESS",
                ["Outputs"] = new JsonArray(new JsonObject { ["OutputKey"] = "RawBucketName", ["OutputValue"] = "raw-1" }),
            }),
        });

        var created = await Client.CallAsync("CreateChangeSet", ChangeSet, CancellationToken.None);
        var stacks = await Client.CallAsync("DescribeStacks", new JsonObject { ["StackName"] = "livetest-main-3fa9c1" }, CancellationToken.None);

        ((string?)created["Id"]).Should().EndWith("changeSet/pipeline-1/abc");
        var stack = stacks["Stacks"]!.AsArray().Single()!;
        ((string?)stack["StackStatus"]).Should().Be("REVIEW_IN_PROGRESS");
        ((string?)stack["Outputs"]![0]!["OutputValue"]).Should().Be("raw-1");
        _cloudFormation.RequestProblems.Should().BeEmpty();
        _cloudFormation.Requests.First().Body.ToJsonString().Should().Be(ChangeSet.ToJsonString(), "the fake read the form back into exactly the members sent");
        _cloudFormation.Requests.First().Headers["Authorization"].Should().Contain("/eu-west-1/cloudformation/aws4_request");
    }

    [SkippableFact]
    public async Task A_malformed_request_is_caught_by_the_fake_and_an_error_carries_its_fields()
    {
        Skip.If(_cloudFormation.Model is null, "python3-botocore is not installed");
        _cloudFormation.Fails("CreateChangeSet", 400, "ValidationError", "Parameters: [ArtifactBucket] must have values");

        var call = () => Client.CallAsync("CreateChangeSet", new JsonObject { ["StackName"] = "s", ["ChangeSetType"] = "CREATED", ["Capabilitys"] = new JsonArray("CAPABILITY_IAM") }, CancellationToken.None);

        var error = (await call.Should().ThrowAsync<AwsException>()).Which;
        (error.Code, error.AwsMessage, error.RequestId, error.StatusCode).Should().Be(("ValidationError", "Parameters: [ArtifactBucket] must have values", "req-0001", 400));
        _cloudFormation.RequestProblems.Should().Contain("CreateChangeSet input: unknown member Capabilitys")
            .And.Contain("CreateChangeSet input: missing required member ChangeSetName")
            .And.Contain(p => p.StartsWith("CreateChangeSet input.ChangeSetType: 'CREATED' is not one of", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Throttling_is_retried()
    {
        _cloudFormation.Fails("DescribeStackEvents", 400, "Throttling", "Rate exceeded")
            .Returns("DescribeStackEvents", new JsonObject { ["StackEvents"] = new JsonArray() });

        var events = await Client.CallAsync("DescribeStackEvents", new JsonObject { ["StackName"] = "s" }, CancellationToken.None);

        AwsQueryClient.Items(events["StackEvents"]).Should().BeEmpty("an empty <StackEvents/> is an empty list");
        _cloudFormation.Requests.Should().HaveCount(2);
    }
}
