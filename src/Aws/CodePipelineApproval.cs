using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GluePipeline.Approval;

namespace GluePipeline.Aws;

/// <summary>Which manual approval action of a pipeline to answer (issue 16: stage <c>LiveTest</c>, action <c>LiveTestApproval</c>).</summary>
/// <param name="Pipeline">The pipeline's name.</param>
/// <param name="Stage">The stage that holds the approval action.</param>
/// <param name="Action">The manual approval action.</param>
public sealed record PipelineApprovalTarget(string Pipeline, string Stage = "LiveTest", string Action = "LiveTestApproval")
{
    /// <summary>The action that tests the artifact live and exports its digest (namespace <c>LiveTest</c>).</summary>
    public string DigestAction { get; init; } = "AutomatedLiveTest";

    /// <summary>The output variable of <see cref="DigestAction"/> that holds the artifact digest.</summary>
    public string DigestVariable { get; init; } = "ArtifactDigest";

    /// <inheritdoc/>
    public override string ToString() => $"{Pipeline}/{Stage}/{Action}";
}

/// <summary>A manual approval waiting for an answer.</summary>
/// <param name="Token">The approval token PutApprovalResult must quote (it changes with every execution of the action).</param>
/// <param name="PipelineExecutionId">The pipeline execution the stage is running (its latestExecution), which ties the token to the artifact digest.</param>
/// <param name="Since">When the action started waiting (latestExecution.lastStatusChange).</param>
/// <param name="Summary">The action's latestExecution.summary, when CodePipeline gives one.</param>
/// <param name="ExternalExecutionUrl">The action's latestExecution.externalExecutionUrl (the review link), when set.</param>
public sealed record PendingApproval(string Token, string PipelineExecutionId, DateTimeOffset? Since, string? Summary, string? ExternalExecutionUrl);

/// <summary>An answer to a manual approval.</summary>
/// <param name="Approved">Approve (true) or reject (false).</param>
/// <param name="Summary">Why, for the pipeline's history: the digest, who, and why (at most <see cref="MaxSummary"/> characters; longer is cut).</param>
public sealed record ApprovalAnswer(bool Approved, string Summary)
{
    /// <summary>CodePipeline's limit on an approval summary, in characters.</summary>
    public const int MaxSummary = 512;

    /// <summary>
    /// The answer an approval decision gives: Approved approves, Rejected rejects, with a summary naming
    /// the digest, the version and commit, who decided, how, and what they were shown.
    /// </summary>
    /// <exception cref="ArgumentException">The verdict is NotApproved: that is no answer, and the approval stays pending.</exception>
    public static ApprovalAnswer From(ApprovalRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Verdict == Verdict.NotApproved)
        {
            throw new ArgumentException($"{record.Digest} was not approved ({record.How}): that is no answer; the approval stays pending", nameof(record));
        }

        var artifact = string.Join(", ", new[] { record.Version is null ? null : "version " + record.Version, record.Commit is null ? null : "commit " + record.Commit }.OfType<string>());
        var summary = string.Create(
            CultureInfo.InvariantCulture,
            $"{record.Verdict} {record.Digest}{(artifact.Length > 0 ? $" ({artifact})" : string.Empty)} by {record.Who} via {record.How} at {record.When:yyyy-MM-ddTHH:mm:ssZ}{(string.IsNullOrWhiteSpace(record.Summary) ? string.Empty : ": " + record.Summary.Trim())}");
        return new ApprovalAnswer(record.Verdict == Verdict.Approved, summary);
    }
}

/// <summary>
/// Nothing is waiting for approval where an answer was to go: the action is not in progress (it has
/// not run, or it ended), its token went stale (the execution moved on), or someone answered first
/// (in the console).
/// </summary>
public sealed class ApprovalNotPendingException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The whole message.</param>
    /// <param name="latestStatus">The approval action's latest status (Succeeded, Failed, ...), or null when it has not run or is unknown.</param>
    /// <param name="answeredBy">Who answered it (latestExecution.lastUpdatedBy), when known.</param>
    /// <param name="innerException">The AWS error behind it, if any.</param>
    public ApprovalNotPendingException(string message, string? latestStatus, string? answeredBy = null, Exception? innerException = null)
        : base(message, innerException)
    {
        LatestStatus = latestStatus;
        AnsweredBy = answeredBy;
    }

    /// <summary>Creates the exception.</summary>
    public ApprovalNotPendingException()
        : this("Nothing is waiting for approval")
    {
    }

    /// <summary>Creates the exception.</summary>
    public ApprovalNotPendingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ApprovalNotPendingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The approval action's latest status (Succeeded, Failed, ...), or null when it has not run or is unknown.</summary>
    public string? LatestStatus { get; }

    /// <summary>Who answered it (latestExecution.lastUpdatedBy), when known.</summary>
    public string? AnsweredBy { get; }
}

/// <summary>
/// An approval was refused before it was sent: the pending execution's artifact digest is not the one
/// expected, or it cannot be read. Fail closed: only the digest that was looked at is approved.
/// </summary>
public sealed class ApprovalRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The whole message.</param>
    /// <param name="expectedDigest">The digest the answer was meant for.</param>
    /// <param name="pendingDigest">The pending execution's digest, or null when it could not be read.</param>
    public ApprovalRefusedException(string message, string expectedDigest, string? pendingDigest)
        : base(message)
    {
        ExpectedDigest = expectedDigest;
        PendingDigest = pendingDigest;
    }

    /// <summary>Creates the exception.</summary>
    public ApprovalRefusedException()
        : this("The approval was refused")
    {
    }

    /// <summary>Creates the exception.</summary>
    public ApprovalRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ApprovalRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The digest the answer was meant for.</summary>
    public string ExpectedDigest { get; } = string.Empty;

    /// <summary>The pending execution's digest, or null when it could not be read.</summary>
    public string? PendingDigest { get; }
}

/// <summary>
/// Answers the pipeline's manual approval (issue 16) from the command line, bound to one artifact:
/// the token is read from GetPipelineState (the approval action while it is InProgress, and the
/// pipeline execution its stage is running); an approval is sent only when that same execution's
/// AutomatedLiveTest action exported the expected digest (ListActionExecutions, output variable
/// <c>ArtifactDigest</c>); a rejection is always allowed. A stale token or an approval someone
/// answered first (in the console) is an <see cref="ApprovalNotPendingException"/> that says so.
/// </summary>
/// <param name="codePipeline">The CodePipeline client (<c>codepipeline</c>, target prefix <c>CodePipeline_20150709</c>).</param>
/// <param name="log">Where progress and the answer go.</param>
/// <param name="poll">How often a wait asks (10 s against AWS).</param>
/// <param name="time">The clock.</param>
public sealed class CodePipelineApproval(AwsJsonClient codePipeline, Action<string> log, TimeSpan? poll = null, TimeProvider? time = null)
{
    private static readonly string[] TerminalStage = ["Failed", "Stopped", "Cancelled", "Succeeded"];

    private readonly TimeSpan _poll = poll ?? TimeSpan.FromSeconds(10);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The approval waiting for an answer, or null when the action is not in progress.</summary>
    /// <exception cref="InvalidOperationException">The pipeline has no such stage or action.</exception>
    /// <exception cref="AwsException">GetPipelineState failed (PipelineNotFoundException, ...).</exception>
    public async Task<PendingApproval?> FindPendingAsync(PipelineApprovalTarget target, CancellationToken cancellationToken) =>
        (await ReadAsync(target, cancellationToken)).Pending;

    /// <summary>
    /// Polls until the run reaches the approval (the action is InProgress) and returns it. The wait ends
    /// early when a pipeline execution seen running the stage ends it without the approval pending.
    /// </summary>
    /// <exception cref="ApprovalNotPendingException">The deadline passed, or the stage's execution ended first.</exception>
    public async Task<PendingApproval> WaitForPendingAsync(PipelineApprovalTarget target, TimeSpan deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var until = _time.GetUtcNow() + deadline;
        var running = new HashSet<string>(StringComparer.Ordinal);
        string? shown = null;
        while (true)
        {
            var state = await ReadAsync(target, cancellationToken);
            if (state.Pending is { } pending)
            {
                log($"{target}: waiting for approval since {When(pending.Since)} (execution {pending.PipelineExecutionId})");
                return pending;
            }

            if (state.Where != shown)
            {
                log($"{target}: not pending yet; {state.Where}");
                shown = state.Where;
            }

            if (state.StageExecutionId is { } execution)
            {
                if (state.StageStatus == "InProgress")
                {
                    running.Add(execution);
                }
                else if (running.Contains(execution) && TerminalStage.Contains(state.StageStatus))
                {
                    throw new ApprovalNotPendingException(
                        $"Nothing is waiting for approval at {target}: execution {execution} ended the {target.Stage} stage {state.StageStatus} before the approval was pending ({state.Where})",
                        state.ActionStatus,
                        state.AnsweredBy);
                }
            }

            if (_time.GetUtcNow() >= until)
            {
                throw new ApprovalNotPendingException(
                    string.Create(CultureInfo.InvariantCulture, $"Nothing is waiting for approval at {target} after {Span(deadline)} (latest status {state.ActionStatus ?? "none: it has not run"}; {state.Where})"),
                    state.ActionStatus,
                    state.AnsweredBy);
            }

            await Task.Delay(_poll, _time, cancellationToken);
        }
    }

    /// <summary>
    /// Answers the pending approval. An approval is refused (nothing is sent) unless the pending
    /// execution's exported digest is <paramref name="expectedDigest"/>; a rejection is always sent.
    /// The summary names the digest (it is put first when the answer's summary does not) and is cut to 512 characters.
    /// </summary>
    /// <exception cref="ApprovalNotPendingException">Nothing is pending, the token went stale, or it was already answered.</exception>
    /// <exception cref="ApprovalRefusedException">Approving a different digest, or one that cannot be read.</exception>
    public async Task AnswerAsync(PipelineApprovalTarget target, ApprovalAnswer answer, string expectedDigest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentException.ThrowIfNullOrWhiteSpace(expectedDigest);
        expectedDigest = expectedDigest.Trim();

        var state = await ReadAsync(target, cancellationToken);
        var pending = state.Pending ?? throw NotPending(target, state);

        string? digest;
        if (answer.Approved)
        {
            if (pending.PipelineExecutionId.Length == 0)
            {
                throw new ApprovalRefusedException($"Not approving {target}: the {target.Stage} stage names no pipeline execution, so the token cannot be tied to an artifact digest", expectedDigest, null);
            }

            digest = await DigestAsync(target, pending.PipelineExecutionId, cancellationToken)
                ?? throw new ApprovalRefusedException(
                    $"Not approving {target}: execution {pending.PipelineExecutionId} exported no {target.DigestVariable} ({target.DigestAction}'s output variables), so it cannot be checked against {expectedDigest}. Rejecting is still possible",
                    expectedDigest,
                    null);
            if (!string.Equals(digest, expectedDigest, StringComparison.OrdinalIgnoreCase))
            {
                throw new ApprovalRefusedException(
                    $"Not approving {target}: execution {pending.PipelineExecutionId} is testing artifact {digest}, not {expectedDigest} (the one that was reviewed). Review {digest} and approve that, or reject",
                    expectedDigest,
                    digest);
            }
        }
        else
        {
            // A rejection never promotes anything: the digest is read for the record only.
            digest = await DigestForTheRecordAsync(target, pending.PipelineExecutionId, cancellationToken);
        }

        var status = answer.Approved ? "Approved" : "Rejected";
        var summary = Summary(answer.Summary, expectedDigest);
        try
        {
            await codePipeline.CallAsync(
                "PutApprovalResult",
                new JsonObject
                {
                    ["pipelineName"] = target.Pipeline,
                    ["stageName"] = target.Stage,
                    ["actionName"] = target.Action,
                    ["result"] = new JsonObject { ["summary"] = summary, ["status"] = status },
                    ["token"] = pending.Token,
                },
                cancellationToken);
        }
        catch (AwsException ex) when (ex.Code == "InvalidApprovalTokenException")
        {
            throw new ApprovalNotPendingException(
                $"Not answered: the approval token of {target} is stale: execution {pending.PipelineExecutionId} moved on; run again to answer the current one ({ex.AwsMessage})",
                null,
                null,
                ex);
        }
        catch (AwsException ex) when (ex.Code == "ApprovalAlreadyCompletedException")
        {
            var now = await ReadAfterAsync(target, cancellationToken);
            var by = now?.AnsweredBy is { } who ? $" by {who}" : string.Empty;
            var how = now?.ActionStatus is { } latest ? $"; latest status {latest}" : string.Empty;
            throw new ApprovalNotPendingException(
                $"Not answered: {target} for execution {pending.PipelineExecutionId} was already answered{by} (in the console?){how}",
                now?.ActionStatus,
                now?.AnsweredBy,
                ex);
        }

        var mismatch = digest is not null && !string.Equals(digest, expectedDigest, StringComparison.OrdinalIgnoreCase) ? $"; the execution is testing {digest}" : string.Empty;
        log($"{status} {target} for execution {pending.PipelineExecutionId} (artifact {digest ?? expectedDigest}{mismatch}, pipeline version {state.PipelineVersion?.ToString(CultureInfo.InvariantCulture) ?? "?"}): {summary}");
    }

    /// <summary>The answer's summary, naming the digest and cut to CodePipeline's 512 characters.</summary>
    private static string Summary(string summary, string digest)
    {
        summary = (summary ?? string.Empty).Trim();
        if (!summary.Contains(digest, StringComparison.OrdinalIgnoreCase))
        {
            summary = summary.Length == 0 ? digest : $"{digest}: {summary}";
        }

        if (summary.Length <= ApprovalAnswer.MaxSummary)
        {
            return summary;
        }

        var cut = ApprovalAnswer.MaxSummary - 1;
        if (char.IsHighSurrogate(summary[cut - 1]))
        {
            cut--;
        }

        return summary[..cut] + "…";
    }

    private ApprovalNotPendingException NotPending(PipelineApprovalTarget target, State state)
    {
        var latest = state.ActionStatus is null
            ? "latest status: none, it has not run"
            : $"latest status {state.ActionStatus}{(state.AnsweredBy is { } by ? $" by {by}" : string.Empty)}{(state.ActionChanged is { } at ? $" at {When(at)}" : string.Empty)}";
        return new ApprovalNotPendingException($"Nothing is waiting for approval at {target} ({latest}; {state.Where})", state.ActionStatus, state.AnsweredBy);
    }

    /// <summary>The state after someone else answered, for the message; unknown when it cannot be read.</summary>
    private async Task<State?> ReadAfterAsync(PipelineApprovalTarget target, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAsync(target, cancellationToken);
        }
        catch (AwsException ex)
        {
            log($"{target}: could not read who answered: {ex.Message}");
            return null;
        }
    }

    private async Task<string?> DigestForTheRecordAsync(PipelineApprovalTarget target, string pipelineExecutionId, CancellationToken cancellationToken)
    {
        if (pipelineExecutionId.Length == 0)
        {
            return null;
        }

        try
        {
            return await DigestAsync(target, pipelineExecutionId, cancellationToken);
        }
        catch (AwsException ex)
        {
            log($"{target}: rejecting without reading the digest of execution {pipelineExecutionId}: {ex.Message}");
            return null;
        }
    }

    /// <summary>
    /// The digest an execution's live test exported: the latest <see cref="PipelineApprovalTarget.DigestAction"/>
    /// execution of that pipeline execution (a retried stage runs it again) whose output variables hold it.
    /// </summary>
    private async Task<string?> DigestAsync(PipelineApprovalTarget target, string pipelineExecutionId, CancellationToken cancellationToken)
    {
        var found = new List<(bool Succeeded, DateTimeOffset At, string Digest)>();
        string? next = null;
        do
        {
            var request = new JsonObject
            {
                ["pipelineName"] = target.Pipeline,
                ["filter"] = new JsonObject { ["pipelineExecutionId"] = pipelineExecutionId },
                ["maxResults"] = 100,
            };
            if (next is not null)
            {
                request["nextToken"] = next;
            }

            var page = await codePipeline.CallAsync("ListActionExecutions", request, cancellationToken);
            foreach (var detail in Items(page["actionExecutionDetails"]))
            {
                if (Text(detail["actionName"]) == target.DigestAction
                    && (Text(detail["pipelineExecutionId"]) ?? pipelineExecutionId) == pipelineExecutionId
                    && detail["output"]?["outputVariables"] is JsonObject variables
                    && Text(variables[target.DigestVariable]) is { } value
                    && value.Trim().Length > 0)
                {
                    found.Add((Text(detail["status"]) == "Succeeded", Time(detail["lastUpdateTime"]) ?? Time(detail["startTime"]) ?? DateTimeOffset.MinValue, value.Trim()));
                }
            }

            next = Text(page["nextToken"]);
        }
        while (!string.IsNullOrEmpty(next));

        return found.OrderByDescending(f => f.Succeeded).ThenByDescending(f => f.At).Select(f => f.Digest).FirstOrDefault();
    }

    /// <summary>Reads GetPipelineState and finds the stage and the action.</summary>
    private async Task<State> ReadAsync(PipelineApprovalTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var output = await codePipeline.CallAsync("GetPipelineState", new JsonObject { ["name"] = target.Pipeline }, cancellationToken);
        var stages = Items(output["stageStates"]);
        var stage = stages.FirstOrDefault(s => Text(s["stageName"]) == target.Stage)
            ?? throw new InvalidOperationException($"The pipeline {target.Pipeline} has no stage {target.Stage} (its stages: {Names(stages, "stageName")})");
        var actions = Items(stage["actionStates"]);
        var action = actions.FirstOrDefault(a => Text(a["actionName"]) == target.Action)
            ?? throw new InvalidOperationException($"The stage {target.Pipeline}/{target.Stage} has no action {target.Action} (its actions: {Names(actions, "actionName")})");

        var stageExecution = stage["latestExecution"];
        var executionId = Text(stageExecution?["pipelineExecutionId"]);
        var stageStatus = Text(stageExecution?["status"]);
        var latest = action["latestExecution"];
        var actionStatus = Text(latest?["status"]);
        var running = actions.Where(a => Text(a["latestExecution"]?["status"]) == "InProgress").Select(a => Text(a["actionName"])).ToArray();
        var where = executionId is null
            ? $"the {target.Stage} stage has not run"
            : $"the {target.Stage} stage is {stageStatus ?? "?"} in execution {executionId}{(running.Length > 0 ? $", running {string.Join(", ", running)}" : string.Empty)}";
        int? version = output["pipelineVersion"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : null;

        PendingApproval? pending = null;
        if (actionStatus == "InProgress" && Text(latest?["token"]) is { Length: > 0 } token)
        {
            pending = new PendingApproval(token, executionId ?? string.Empty, Time(latest?["lastStatusChange"]), Text(latest?["summary"]), Text(latest?["externalExecutionUrl"]));
        }

        return new State(pending, executionId, stageStatus, actionStatus, Text(latest?["lastUpdatedBy"]), Time(latest?["lastStatusChange"]), where, version);
    }

    private static string Names(IReadOnlyList<JsonNode> items, string member) =>
        items.Count == 0 ? "none" : string.Join(", ", items.Select(i => Text(i[member]) ?? "?"));

    private static List<JsonNode> Items(JsonNode? list) => list is JsonArray array ? array.OfType<JsonNode>().ToList() : [];

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>A timestamp as JSON 1.1 sends it (epoch seconds, fractions allowed), or ISO 8601 text.</summary>
    private static DateTimeOffset? Time(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }

        if (value.GetValueKind() == JsonValueKind.Number && double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return DateTimeOffset.UnixEpoch.AddMilliseconds(Math.Round(seconds * 1000));
        }

        return value.TryGetValue<string>(out var text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
    }

    private static string When(DateTimeOffset? at) => at?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "an unknown time";

    private static string Span(TimeSpan span) => span.TotalMinutes >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0.##} minutes")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.###} seconds");

    /// <summary>What GetPipelineState says about the approval.</summary>
    private sealed record State(PendingApproval? Pending, string? StageExecutionId, string? StageStatus, string? ActionStatus, string? AnsweredBy, DateTimeOffset? ActionChanged, string Where, int? PipelineVersion);
}
