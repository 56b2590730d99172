using System.Text.Json.Nodes;
using GluePipeline.Approval;
using GluePipeline.Aws;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Aws;

/// <summary>
/// Answering the pipeline's manual approval (issue 16) against the fake CodePipeline endpoint (every
/// request checked against botocore): the token comes from GetPipelineState, an approval is sent only
/// for the digest the same execution's live test exported, and a stale or already answered approval
/// says so.
/// </summary>
public sealed class CodePipelineApprovalTests : IDisposable
{
    internal const string Pipeline = "glue-etl-pipeline";
    private const string Execution = "3f0c2b7a-9d41-4e5f-8a6b-1c2d3e4f5a6b";
    internal const string Token = "a1b2c3d4-e5f6-4789-8abc-def012345678";
    internal const string Digest = "9c1185a5c5e9fc54612808977ee8f548b2258d31d2c7e0b1a7f3c4d5e6f70819";
    private const string Other = "0b3fd2e1c4a5968778695a4b3c2d1e0f9e8d7c6b5a49382716051f2e3d4c5b6a";
    private const string Approver = "arn:aws:iam::123456789012:user/alice";
    private static readonly PipelineApprovalTarget Target = new(Pipeline);

    private readonly FakeAws _codePipeline = new("codepipeline", "CodePipeline_20150709");
    private readonly List<string> _log = [];

    public void Dispose() => _codePipeline.Dispose();

    private AwsJsonClient Client => _codePipeline.JsonClient();

    private CodePipelineApproval Approval => new(Client, _log.Add, poll: TimeSpan.FromMilliseconds(1));

    private IEnumerable<FakeAwsRequest> Calls(string operation) => _codePipeline.Requests.Where(r => r.Operation == operation);

    /// <summary>An action's state: its latest execution when it has one.</summary>
    private static JsonObject Action(string name, string? status = null, string? token = null, string? by = null, string? summary = null)
    {
        var action = new JsonObject { ["actionName"] = name };
        if (status is not null)
        {
            var latest = new JsonObject { ["actionExecutionId"] = $"{name}-1", ["status"] = status, ["lastStatusChange"] = 1_795_000_000.5 };
            if (token is not null)
            {
                latest["token"] = token;
            }

            if (by is not null)
            {
                latest["lastUpdatedBy"] = by;
            }

            if (summary is not null)
            {
                latest["summary"] = summary;
            }

            action["latestExecution"] = latest;
        }

        return action;
    }

    /// <summary>GetPipelineState: Source and Build done, the LiveTest stage with its two actions.</summary>
    private static JsonObject State(string? stageStatus, params JsonObject[] liveTest)
    {
        var stage = new JsonObject { ["stageName"] = "LiveTest", ["actionStates"] = new JsonArray(liveTest.Select(a => (JsonNode)a).ToArray()) };
        if (stageStatus is not null)
        {
            stage["latestExecution"] = new JsonObject { ["pipelineExecutionId"] = Execution, ["status"] = stageStatus };
        }

        return new JsonObject
        {
            ["pipelineName"] = Pipeline,
            ["pipelineVersion"] = 7,
            ["created"] = 1_790_000_000,
            ["updated"] = 1_795_000_000,
            ["stageStates"] = new JsonArray(
                new JsonObject { ["stageName"] = "Source", ["actionStates"] = new JsonArray(Action("Source", "Succeeded")), ["latestExecution"] = new JsonObject { ["pipelineExecutionId"] = Execution, ["status"] = "Succeeded" } },
                new JsonObject { ["stageName"] = "Build", ["actionStates"] = new JsonArray(Action("Build", "Succeeded")), ["latestExecution"] = new JsonObject { ["pipelineExecutionId"] = Execution, ["status"] = "Succeeded" } },
                stage),
        };
    }

    internal static JsonObject Waiting() => State("InProgress", Action("AutomatedLiveTest", "Succeeded"), Action("LiveTestApproval", "InProgress", Token, summary: $"Live test passed for {Digest}"));

    private static JsonObject Testing() => State("InProgress", Action("AutomatedLiveTest", "InProgress"), Action("LiveTestApproval"));

    /// <summary>One action execution of the pipeline execution, with its output variables.</summary>
    private static JsonObject Detail(string action, string status, IReadOnlyDictionary<string, string>? variables = null, long startTime = 1_795_000_000)
    {
        var output = new JsonObject();
        if (variables is not null)
        {
            output["outputVariables"] = new JsonObject(variables.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)v.Value)));
        }

        return new JsonObject
        {
            ["pipelineExecutionId"] = Execution,
            ["actionExecutionId"] = $"{action}-{startTime}",
            ["pipelineVersion"] = 7,
            ["stageName"] = "LiveTest",
            ["actionName"] = action,
            ["startTime"] = startTime,
            ["lastUpdateTime"] = startTime + 60,
            ["status"] = status,
            ["input"] = new JsonObject
            {
                ["actionTypeId"] = new JsonObject { ["category"] = "Build", ["owner"] = "AWS", ["provider"] = "CodeBuild", ["version"] = "1" },
                ["namespace"] = "LiveTest",
            },
            ["output"] = output,
        };
    }

    private static JsonObject Executions(string? nextToken, params JsonObject[] details)
    {
        var page = new JsonObject { ["actionExecutionDetails"] = new JsonArray(details.Select(d => (JsonNode)d).ToArray()) };
        if (nextToken is not null)
        {
            page["nextToken"] = nextToken;
        }

        return page;
    }

    internal static JsonObject Tested(string digest) =>
        Executions(null, Detail("AutomatedLiveTest", "Succeeded", new Dictionary<string, string> { ["ArtifactDigest"] = digest, ["StackName"] = "livetest-main-3fa9c1" }));

    internal static JsonObject Approved() => new() { ["approvedAt"] = 1_795_000_100 };

    [Fact]
    public async Task Approving_sends_the_pending_token_when_the_same_execution_tested_the_expected_digest()
    {
        _codePipeline.Returns("GetPipelineState", Waiting())
            .Returns("ListActionExecutions", Tested(Digest))
            .Returns("PutApprovalResult", Approved());

        await Approval.AnswerAsync(Target, new ApprovalAnswer(true, $"{Digest} approved by alice: row counts and report reviewed"), Digest, CancellationToken.None);

        _codePipeline.Requests.Select(r => r.Operation).Should().Equal("GetPipelineState", "ListActionExecutions", "PutApprovalResult");
        ((string?)Calls("GetPipelineState").Single().Body["name"]).Should().Be(Pipeline);
        var list = Calls("ListActionExecutions").Single().Body;
        ((string?)list["pipelineName"]).Should().Be(Pipeline);
        ((string?)list["filter"]!["pipelineExecutionId"]).Should().Be(Execution, "the digest is read from the execution the token belongs to");
        var put = Calls("PutApprovalResult").Single().Body;
        ((string?)put["pipelineName"], (string?)put["stageName"], (string?)put["actionName"], (string?)put["token"]).Should().Be((Pipeline, "LiveTest", "LiveTestApproval", Token));
        ((string?)put["result"]!["status"]).Should().Be("Approved");
        ((string?)put["result"]!["summary"]).Should().Contain(Digest).And.Contain("alice");
        _log.Should().ContainSingle(l => l.StartsWith($"Approved {Pipeline}/LiveTest/LiveTestApproval for execution {Execution}", StringComparison.Ordinal) && l.Contains(Digest, StringComparison.Ordinal));
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task The_digest_is_read_from_every_page_and_from_the_latest_successful_live_test()
    {
        _codePipeline.Returns("GetPipelineState", Waiting())
            .Returns("ListActionExecutions", Executions("page-2", Detail("Deploy", "Succeeded", new Dictionary<string, string> { ["ArtifactDigest"] = Other })))
            .Returns("ListActionExecutions", Executions(
                null,
                Detail("AutomatedLiveTest", "Failed", new Dictionary<string, string> { ["ArtifactDigest"] = Other }, startTime: 1_795_000_500),
                Detail("AutomatedLiveTest", "Succeeded", new Dictionary<string, string> { ["ArtifactDigest"] = Digest.ToUpperInvariant() })))
            .Returns("PutApprovalResult", Approved());

        await Approval.AnswerAsync(Target, new ApprovalAnswer(true, "reviewed by alice"), Digest, CancellationToken.None);

        Calls("ListActionExecutions").Select(r => (string?)r.Body["nextToken"]).Should().Equal(null, "page-2");
        var summary = (string?)Calls("PutApprovalResult").Single().Body["result"]!["summary"];
        summary.Should().Be($"{Digest}: reviewed by alice", "a summary that does not name the digest gets it first");
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task Rejecting_is_sent_even_when_the_digest_is_missing()
    {
        _codePipeline.Returns("GetPipelineState", Waiting())
            .Returns("ListActionExecutions", Executions(null, Detail("AutomatedLiveTest", "Succeeded")))
            .Returns("PutApprovalResult", Approved());

        await Approval.AnswerAsync(Target, new ApprovalAnswer(false, $"{Digest} rejected by alice: fares are negative"), Digest, CancellationToken.None);

        var put = Calls("PutApprovalResult").Single().Body;
        ((string?)put["result"]!["status"], (string?)put["token"]).Should().Be(("Rejected", Token));
        ((string?)put["result"]!["summary"]).Should().Be($"{Digest} rejected by alice: fares are negative");
        _log.Should().ContainSingle(l => l.StartsWith("Rejected ", StringComparison.Ordinal));
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task Rejecting_a_different_digest_is_sent_and_the_log_names_what_the_execution_tested()
    {
        _codePipeline.Returns("GetPipelineState", Waiting())
            .Returns("ListActionExecutions", Tested(Other))
            .Returns("PutApprovalResult", Approved());

        await Approval.AnswerAsync(Target, new ApprovalAnswer(false, "not this one"), Digest, CancellationToken.None);

        ((string?)Calls("PutApprovalResult").Single().Body["result"]!["status"]).Should().Be("Rejected");
        _log.Should().ContainSingle(l => l.StartsWith("Rejected ", StringComparison.Ordinal) && l.Contains($"the execution is testing {Other}", StringComparison.Ordinal));
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task Approving_a_different_digest_is_refused_and_nothing_is_sent()
    {
        _codePipeline.Returns("GetPipelineState", Waiting()).Returns("ListActionExecutions", Tested(Other));

        var approve = () => Approval.AnswerAsync(Target, new ApprovalAnswer(true, "looks good"), Digest, CancellationToken.None);

        var refused = (await approve.Should().ThrowAsync<ApprovalRefusedException>()).Which;
        refused.Message.Should().Contain(Digest).And.Contain(Other).And.Contain(Execution);
        (refused.ExpectedDigest, refused.PendingDigest).Should().Be((Digest, Other));
        Calls("PutApprovalResult").Should().BeEmpty();
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task Approving_without_an_exported_digest_is_refused_and_nothing_is_sent()
    {
        _codePipeline.Returns("GetPipelineState", Waiting())
            .Returns("ListActionExecutions", Executions(null, Detail("AutomatedLiveTest", "Succeeded", new Dictionary<string, string> { ["StackName"] = "livetest-main-3fa9c1" })));

        var approve = () => Approval.AnswerAsync(Target, new ApprovalAnswer(true, "looks good"), Digest, CancellationToken.None);

        var refused = (await approve.Should().ThrowAsync<ApprovalRefusedException>()).Which;
        refused.Message.Should().Contain("exported no ArtifactDigest").And.Contain(Execution).And.Contain("Rejecting is still possible");
        refused.PendingDigest.Should().BeNull();
        Calls("PutApprovalResult").Should().BeEmpty();
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task A_stale_token_is_not_pending_and_says_to_run_again()
    {
        _codePipeline.Returns("GetPipelineState", Waiting())
            .Returns("ListActionExecutions", Tested(Digest))
            .Fails("PutApprovalResult", 400, "InvalidApprovalTokenException", "The token for the approval request is not valid.");

        var approve = () => Approval.AnswerAsync(Target, new ApprovalAnswer(true, "ok"), Digest, CancellationToken.None);

        var stale = (await approve.Should().ThrowAsync<ApprovalNotPendingException>()).Which;
        stale.Message.Should().Contain("the approval token of glue-etl-pipeline/LiveTest/LiveTestApproval is stale")
            .And.Contain($"execution {Execution} moved on; run again to answer the current one");
        stale.InnerException.Should().BeOfType<AwsException>().Which.Code.Should().Be("InvalidApprovalTokenException");
        Calls("PutApprovalResult").Should().ContainSingle("a client error is not retried");
        _log.Should().BeEmpty("nothing was answered");
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task An_approval_answered_in_the_console_first_is_not_pending_and_says_by_whom()
    {
        _codePipeline.Returns("GetPipelineState", Waiting())
            .Returns("ListActionExecutions", Tested(Digest))
            .Fails("PutApprovalResult", 400, "ApprovalAlreadyCompletedException", "The approval action has already been completed.")
            .Returns("GetPipelineState", State("Succeeded", Action("AutomatedLiveTest", "Succeeded"), Action("LiveTestApproval", "Succeeded", by: Approver)));

        var approve = () => Approval.AnswerAsync(Target, new ApprovalAnswer(true, "ok"), Digest, CancellationToken.None);

        var answered = (await approve.Should().ThrowAsync<ApprovalNotPendingException>()).Which;
        answered.Message.Should().Contain($"already answered by {Approver} (in the console?)").And.Contain("latest status Succeeded");
        (answered.LatestStatus, answered.AnsweredBy).Should().Be(("Succeeded", Approver));
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task Already_answered_without_a_readable_state_still_says_so()
    {
        _codePipeline.Returns("GetPipelineState", Waiting())
            .Returns("ListActionExecutions", Tested(Digest))
            .Fails("PutApprovalResult", 400, "ApprovalAlreadyCompletedException", "The approval action has already been completed.")
            .Fails("GetPipelineState", 400, "AccessDeniedException", "not allowed");

        var approve = () => Approval.AnswerAsync(Target, new ApprovalAnswer(true, "ok"), Digest, CancellationToken.None);

        (await approve.Should().ThrowAsync<ApprovalNotPendingException>()).Which.Message.Should().Contain("was already answered (in the console?)");
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task An_approval_that_already_succeeded_is_not_pending_and_the_answer_names_its_status()
    {
        var done = State("Succeeded", Action("AutomatedLiveTest", "Succeeded"), Action("LiveTestApproval", "Succeeded", by: Approver));
        _codePipeline.Returns("GetPipelineState", done).Returns("GetPipelineState", done);

        (await Approval.FindPendingAsync(Target, CancellationToken.None)).Should().BeNull();
        var approve = () => Approval.AnswerAsync(Target, new ApprovalAnswer(true, "ok"), Digest, CancellationToken.None);

        var none = (await approve.Should().ThrowAsync<ApprovalNotPendingException>()).Which;
        none.Message.Should().StartWith("Nothing is waiting for approval at glue-etl-pipeline/LiveTest/LiveTestApproval (latest status Succeeded by " + Approver);
        none.LatestStatus.Should().Be("Succeeded");
        _codePipeline.Requests.Select(r => r.Operation).Should().Equal("GetPipelineState", "GetPipelineState");
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task An_approval_that_never_ran_is_not_pending_and_the_answer_says_so()
    {
        var never = State(null, Action("AutomatedLiveTest"), Action("LiveTestApproval"));
        _codePipeline.Returns("GetPipelineState", never).Returns("GetPipelineState", never);

        (await Approval.FindPendingAsync(Target, CancellationToken.None)).Should().BeNull();
        var reject = () => Approval.AnswerAsync(Target, new ApprovalAnswer(false, "no"), Digest, CancellationToken.None);

        var none = (await reject.Should().ThrowAsync<ApprovalNotPendingException>()).Which;
        none.Message.Should().Contain("latest status: none, it has not run").And.Contain("the LiveTest stage has not run");
        none.LatestStatus.Should().BeNull();
        Calls("PutApprovalResult").Should().BeEmpty();
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task A_pending_approval_carries_its_token_execution_time_and_summary()
    {
        _codePipeline.Returns("GetPipelineState", Waiting());

        var pending = await Approval.FindPendingAsync(Target, CancellationToken.None);

        pending.Should().Be(new PendingApproval(Token, Execution, DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_500), $"Live test passed for {Digest}", null));
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task A_stage_or_action_the_pipeline_does_not_have_is_a_clear_error()
    {
        _codePipeline.Returns("GetPipelineState", Waiting()).Returns("GetPipelineState", Waiting());

        var noStage = () => Approval.FindPendingAsync(Target with { Stage = "Approval" }, CancellationToken.None);
        var noAction = () => Approval.FindPendingAsync(Target with { Action = "ManualApproval" }, CancellationToken.None);

        (await noStage.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Be("The pipeline glue-etl-pipeline has no stage Approval (its stages: Source, Build, LiveTest)");
        (await noAction.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Be("The stage glue-etl-pipeline/LiveTest has no action ManualApproval (its actions: AutomatedLiveTest, LiveTestApproval)");
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task Waiting_polls_until_the_run_reaches_the_approval()
    {
        _codePipeline.Returns("GetPipelineState", Testing())
            .Returns("GetPipelineState", Testing())
            .Returns("GetPipelineState", Waiting());

        var pending = await Approval.WaitForPendingAsync(Target, TimeSpan.FromMinutes(5), CancellationToken.None);

        pending.Token.Should().Be(Token);
        pending.PipelineExecutionId.Should().Be(Execution);
        Calls("GetPipelineState").Should().HaveCount(3);
        _log.Should().Equal(
            $"{Pipeline}/LiveTest/LiveTestApproval: not pending yet; the LiveTest stage is InProgress in execution {Execution}, running AutomatedLiveTest",
            $"{Pipeline}/LiveTest/LiveTestApproval: waiting for approval since 2026-11-18T11:06:40Z (execution {Execution})");
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task Waiting_past_the_deadline_is_a_clear_error()
    {
        _codePipeline.Otherwise("GetPipelineState", _ => Testing());

        var wait = () => Approval.WaitForPendingAsync(Target, TimeSpan.FromMilliseconds(100), CancellationToken.None);

        var late = (await wait.Should().ThrowAsync<ApprovalNotPendingException>()).Which;
        late.Message.Should().Be($"Nothing is waiting for approval at {Pipeline}/LiveTest/LiveTestApproval after 0.1 seconds (latest status none: it has not run; the LiveTest stage is InProgress in execution {Execution}, running AutomatedLiveTest)");
        Calls("GetPipelineState").Should().HaveCountGreaterThan(1);
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task Waiting_ends_when_the_execution_fails_the_stage_before_the_approval()
    {
        _codePipeline.Returns("GetPipelineState", Testing())
            .Returns("GetPipelineState", State("Failed", Action("AutomatedLiveTest", "Failed", summary: "row counts differ"), Action("LiveTestApproval")));

        var wait = () => Approval.WaitForPendingAsync(Target, TimeSpan.FromMinutes(5), CancellationToken.None);

        (await wait.Should().ThrowAsync<ApprovalNotPendingException>()).Which.Message.Should().Be(
            $"Nothing is waiting for approval at {Pipeline}/LiveTest/LiveTestApproval: execution {Execution} ended the LiveTest stage Failed before the approval was pending (the LiveTest stage is Failed in execution {Execution})");
        Calls("GetPipelineState").Should().HaveCount(2);
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task Waiting_is_not_ended_by_an_earlier_execution_that_failed_the_stage()
    {
        _codePipeline.Returns("GetPipelineState", State("Failed", Action("AutomatedLiveTest", "Failed"), Action("LiveTestApproval")))
            .Returns("GetPipelineState", Waiting());

        var pending = await Approval.WaitForPendingAsync(Target, TimeSpan.FromMinutes(5), CancellationToken.None);

        pending.Token.Should().Be(Token);
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task A_cancelled_wait_stops()
    {
        _codePipeline.Otherwise("GetPipelineState", _ => Testing());
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var wait = () => Approval.WaitForPendingAsync(Target, TimeSpan.FromMinutes(5), cancel.Token);

        await wait.Should().ThrowAsync<OperationCanceledException>();
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task A_long_summary_is_cut_to_512_characters_and_keeps_the_digest()
    {
        _codePipeline.Returns("GetPipelineState", Waiting())
            .Returns("ListActionExecutions", Tested(Digest))
            .Returns("PutApprovalResult", Approved());

        await Approval.AnswerAsync(Target, new ApprovalAnswer(true, "reviewed: " + new string('x', 1000)), Digest, CancellationToken.None);

        var summary = (string)Calls("PutApprovalResult").Single().Body["result"]!["summary"]!;
        summary.Should().HaveLength(512).And.StartWith(Digest + ": reviewed: ").And.EndWith("…");
        _codePipeline.RequestProblems.Should().BeEmpty("the model allows at most 512 characters");
    }

    [Fact]
    public void An_answer_is_made_from_an_approval_record_and_not_approved_is_no_answer()
    {
        var when = new DateTimeOffset(2026, 11, 27, 10, 15, 0, TimeSpan.Zero);
        var record = new ApprovalRecord(Digest, "1.4.0", "3fa9c1d", Verdict.Approved, "alice", when, "--approve", "livetest-main-3fa9c1", "row counts match");

        ApprovalAnswer.From(record).Should().Be(new ApprovalAnswer(true, $"Approved {Digest} (version 1.4.0, commit 3fa9c1d) by alice via --approve at 2026-11-27T10:15:00Z: row counts match"));
        ApprovalAnswer.From(record with { Verdict = Verdict.Rejected, How = "prompt", Version = null, Commit = null, Summary = null }).Should().Be(new ApprovalAnswer(false, $"Rejected {Digest} by alice via prompt at 2026-11-27T10:15:00Z"));
        var none = () => ApprovalAnswer.From(record with { Verdict = Verdict.NotApproved });
        none.Should().Throw<ArgumentException>().WithMessage("*no answer*");
    }
}
