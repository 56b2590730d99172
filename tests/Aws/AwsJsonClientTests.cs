using System.Text.Json.Nodes;
using GluePipeline.Aws;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Aws;

/// <summary>
/// The JSON 1.1 thin client against the fake Glue endpoint: requests are signed (SigV4), shaped as
/// botocore's model says, retried on throttling and 5xx (re-signed each time), and errors carry
/// service, operation, code, message and request id.
/// </summary>
public sealed class AwsJsonClientTests : IDisposable
{
    private readonly FakeAws _glue = new("glue", "AWSGlue");

    public void Dispose() => _glue.Dispose();

    private AwsJsonClient Client => _glue.JsonClient(attempts: 4);

    [Fact]
    public async Task A_call_is_signed_targeted_and_shaped_as_AWS_defines_it()
    {
        _glue.Returns("StartJobRun", new JsonObject { ["JobRunId"] = "jr_0123" });

        var output = await Client.CallAsync("StartJobRun", new JsonObject { ["JobName"] = "taxi_livetest_main_1a2b3c", ["Arguments"] = new JsonObject { ["--raw_bucket"] = "raw" } }, CancellationToken.None);

        ((string?)output["JobRunId"]).Should().Be("jr_0123");
        var request = _glue.Requests.Single();
        request.Operation.Should().Be("StartJobRun");
        request.Headers["Authorization"].Should().StartWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/").And.Contain("/us-east-1/glue/aws4_request").And.Contain("Signature=");
        request.Headers.Should().ContainKey("X-Amz-Date");
        request.Headers["Content-Type"].Should().StartWith("application/x-amz-json-1.1");
        _glue.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task Throttling_and_server_errors_are_retried_and_each_retry_is_signed_again()
    {
        _glue.Fails("GetJobRun", 400, "ThrottlingException", "Rate exceeded")
            .Fails("GetJobRun", 503, "ServiceUnavailableException", "try later")
            .Returns("GetJobRun", new JsonObject { ["JobRun"] = new JsonObject { ["Id"] = "jr_1", ["JobRunState"] = "RUNNING" } });

        var output = await Client.CallAsync("GetJobRun", new JsonObject { ["JobName"] = "taxi", ["RunId"] = "jr_1" }, CancellationToken.None);

        ((string?)output["JobRun"]!["JobRunState"]).Should().Be("RUNNING");
        _glue.Requests.Should().HaveCount(3);
        _glue.Requests.Select(r => r.Headers["Authorization"]).Should().OnlyContain(a => a.StartsWith("AWS4-HMAC-SHA256", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_error_carries_service_operation_code_message_and_request_id_and_is_not_retried()
    {
        _glue.Fails("StartJobRun", 400, "EntityNotFoundException", "Job with name: taxi not found");

        var call = () => Client.CallAsync("StartJobRun", new JsonObject { ["JobName"] = "taxi" }, CancellationToken.None);

        var error = (await call.Should().ThrowAsync<AwsException>()).Which;
        (error.Service, error.Operation, error.Code, error.AwsMessage, error.RequestId, error.StatusCode).Should().Be(("glue", "StartJobRun", "EntityNotFoundException", "Job with name: taxi not found", "req-0001", 400));
        error.Message.Should().Be("glue StartJobRun failed: EntityNotFoundException: Job with name: taxi not found (request id req-0001)");
        _glue.Requests.Should().ContainSingle("a client error is not retried");
    }

    [Fact]
    public async Task Retries_stop_after_the_last_attempt_with_the_last_error()
    {
        for (var i = 0; i < 4; i++)
        {
            _glue.Fails("GetJobRuns", 500, "InternalServiceException", "boom");
        }

        var call = () => Client.CallAsync("GetJobRuns", new JsonObject { ["JobName"] = "taxi" }, CancellationToken.None);

        (await call.Should().ThrowAsync<AwsException>()).Which.Code.Should().Be("InternalServiceException");
        _glue.Requests.Should().HaveCount(4);
    }

    [SkippableFact]
    public async Task The_fake_catches_a_request_AWS_would_refuse_and_an_output_AWS_would_never_send()
    {
        Skip.If(_glue.Model is null, "python3-botocore is not installed");
        _glue.Returns("StartJobRun", new JsonObject { ["JobRunId"] = "jr_1" });

        await Client.CallAsync("StartJobRun", new JsonObject { ["JobNam"] = "taxi", ["NumberOfWorkers"] = "two", ["WorkerType"] = "G.3X" }, CancellationToken.None);
        var badOutput = () => _glue.Returns("StartJobRun", new JsonObject { ["RunId"] = "jr_2" });

        _glue.RequestProblems.Should().Contain("StartJobRun input: missing required member JobName")
            .And.Contain(p => p.StartsWith("StartJobRun input: unknown member JobNam", StringComparison.Ordinal))
            .And.Contain(p => p.StartsWith("StartJobRun input.NumberOfWorkers: expected a whole number", StringComparison.Ordinal))
            .And.Contain(p => p.StartsWith("StartJobRun input.WorkerType: 'G.3X' is not one of", StringComparison.Ordinal));
        badOutput.Should().Throw<InvalidOperationException>().WithMessage("*unknown member RunId*");
    }

    [SkippableFact]
    public void The_model_knows_the_operations_and_errors_we_use()
    {
        Skip.If(_glue.Model is null, "python3-botocore is not installed");

        _glue.Model!.Protocol.Should().Be("json");
        ((string?)_glue.Model.Metadata["targetPrefix"]).Should().Be("AWSGlue");
        foreach (var operation in new[] { "StartJobRun", "GetJobRun", "StartCrawler", "GetCrawler", "GetTable" })
        {
            _glue.Model.HasOperation(operation).Should().BeTrue(operation);
        }

        _glue.Model.DeclaresError("StartJobRun", "ConcurrentRunsExceededException").Should().BeTrue();
        _glue.Model.DeclaresError("StartCrawler", "CrawlerRunningException").Should().BeTrue();
    }

    [Fact]
    public async Task A_call_without_a_client_token_is_retried_when_throttled_but_not_after_a_5xx_that_may_have_started_it()
    {
        _glue.Fails("StartJobRun", 400, "ThrottlingException", "Rate exceeded")
            .Returns("StartJobRun", new JsonObject { ["JobRunId"] = "jr_1" })
            .Fails("StartJobRun", 503, "ServiceUnavailableException", "try again")
            .Returns("StartJobRun", new JsonObject { ["JobRunId"] = "jr_2" });

        var first = await Client.CallAsync("StartJobRun", new JsonObject { ["JobName"] = "taxi" }, CancellationToken.None, idempotent: false);
        var second = () => Client.CallAsync("StartJobRun", new JsonObject { ["JobName"] = "taxi" }, CancellationToken.None, idempotent: false);

        ((string?)first["JobRunId"]).Should().Be("jr_1", "a throttled call was refused, so trying again is safe");
        (await second.Should().ThrowAsync<AwsException>()).Which.Code.Should().Be("ServiceUnavailableException", "the run may have started: a second one must not");
        _glue.Requests.Should().HaveCount(3);
    }
}
