using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GluePipeline.Aws;

/// <summary>How a Glue job run ended.</summary>
/// <param name="JobName">The job.</param>
/// <param name="RunId">The run's id (also the name of its log streams).</param>
/// <param name="State">
/// Its final state: SUCCEEDED, or FAILED, STOPPED, TIMEOUT, ERROR, EXPIRED; for a run stopped at the
/// deadline, the state it was in then; NOT_STARTED (and no <paramref name="RunId"/>) when concurrent
/// runs stayed exceeded until the deadline.
/// </param>
/// <param name="ErrorMessage">Glue's error message, when it gave one.</param>
/// <param name="LogGroup">
/// Where to read its logs (log stream: <paramref name="RunId"/>): the error group of a run that did not
/// succeed, the output group of one that did - <c>/aws-glue/jobs/error</c> and <c>/aws-glue/jobs/output</c>
/// by default, or under JobRun.LogGroupName when Glue gives one (a security configuration's group).
/// </param>
/// <param name="Duration">How long it took: from Glue's StartedOn to CompletedOn when both are given, else as we saw it.</param>
/// <param name="Attempt">How many StartJobRun calls it took (more than 1 when ConcurrentRunsExceededException made us wait for a free slot).</param>
public sealed record GlueJobOutcome(string JobName, string RunId, string State, string? ErrorMessage, string? LogGroup, TimeSpan Duration, int Attempt);

/// <summary>How a Glue crawl ended.</summary>
/// <param name="CrawlerName">The crawler.</param>
/// <param name="Status">The crawl's status: SUCCEEDED, FAILED or CANCELLED; for a crawl stopped at the deadline, the crawler's state then.</param>
/// <param name="ErrorMessage">Glue's error message, when it gave one.</param>
/// <param name="LogGroup">The crawl's log group (<c>/aws-glue/crawlers</c>), when given.</param>
/// <param name="LogStream">The crawl's log stream (the crawler's name), when given.</param>
/// <param name="Duration">How long it took, from our StartCrawler until we saw it end.</param>
public sealed record GlueCrawlOutcome(string CrawlerName, string Status, string? ErrorMessage, string? LogGroup, string? LogStream, TimeSpan Duration);

/// <summary>
/// A Glue job run or crawl that did not succeed - it FAILED, TIMEOUT, ERROR, EXPIRED, was STOPPED or
/// CANCELLED, or did not finish before the deadline - with what failed first in the message: the
/// state, how long it ran, Glue's error message and where its logs are.
/// </summary>
public sealed class GlueRunException : Exception
{
    /// <summary>Creates the exception for a job run.</summary>
    public GlueRunException(string message, GlueJobOutcome job)
        : base(message)
    {
        Job = job;
    }

    /// <summary>Creates the exception for a crawl.</summary>
    public GlueRunException(string message, GlueCrawlOutcome crawl)
        : base(message)
    {
        Crawl = crawl;
    }

    /// <summary>Creates the exception for a group of job runs, one or more of which failed.</summary>
    /// <param name="message">The first failure's message first.</param>
    /// <param name="failures">The failures, in the order they happened.</param>
    /// <param name="outcomes">The runs that ended, the failed ones included when they got so far.</param>
    public GlueRunException(string message, IReadOnlyList<Exception> failures, IReadOnlyList<GlueJobOutcome> outcomes)
        : base(message, failures.Count > 0 ? failures[0] : null)
    {
        Failures = failures;
        Outcomes = outcomes;
        Job = failures.Count > 0 && failures[0] is GlueRunException first ? first.Job : null;
    }

    /// <summary>Creates the exception.</summary>
    public GlueRunException()
        : this("The Glue run failed")
    {
    }

    /// <summary>Creates the exception.</summary>
    public GlueRunException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public GlueRunException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The job run that failed (the first one, for a group), when it got as far as a run.</summary>
    public GlueJobOutcome? Job { get; }

    /// <summary>The crawl that failed.</summary>
    public GlueCrawlOutcome? Crawl { get; }

    /// <summary>For a group of runs: every failure, in the order they happened.</summary>
    public IReadOnlyList<Exception> Failures { get; } = [];

    /// <summary>For a group of runs: every run that ended (succeeded or failed), in the order the groups list them.</summary>
    public IReadOnlyList<GlueJobOutcome> Outcomes { get; } = [];
}

/// <summary>
/// Runs the crawlers and jobs of a deployed stack and waits for them, as Glue behaves:
/// <list type="bullet">
/// <item>A job run goes STARTING, RUNNING, STOPPING, or WAITING (queued for capacity, which can last
/// 15-20 minutes), and ends SUCCEEDED or FAILED, STOPPED, TIMEOUT, ERROR, EXPIRED; any other state
/// (one Glue adds later) is waited through, under the deadline. ConcurrentRunsExceededException on
/// StartJobRun (another run of the job, or the account's limit) is waited out, not a failure.</item>
/// <item>A crawler is READY, RUNNING or STOPPING; our crawl has ended when the crawler is READY with a
/// LastCrawl that started after our StartCrawler (a LastCrawl from before is someone else's).
/// CrawlerRunningException (someone else's crawl) is waited out, then ours is started.</item>
/// <item>Each state is logged once as it is seen, with the time since we started; an unchanged state
/// gets a "still ..." line about every minute. A run that fails names its state, Glue's error message
/// and its log group and stream.</item>
/// <item>At the deadline, and on cancellation, our run is stopped (best effort, BatchStopJobRun or
/// StopCrawler) before the exception; someone else's crawl is never stopped.</item>
/// </list>
/// StartJobRun takes no client token, so nothing here repeats a StartJobRun that may have started a
/// run: only ConcurrentRunsExceededException (AWS refused to start one) is tried again; an error after
/// the client's own retries (<see cref="AwsRetryPolicy"/>) is thrown, not retried. When cancellation
/// arrives while StartJobRun is in flight, the call is given a few seconds to return the run's id so
/// that the run can be stopped rather than left running unseen.
/// </summary>
/// <param name="glue">The Glue client (JSON 1.1, target prefix AWSGlue).</param>
/// <param name="log">Where progress goes, live (calls are serialised: runs of a group share it).</param>
/// <param name="poll">How often to ask (10 s against AWS).</param>
/// <param name="deadline">How long one run or crawl may take from its start, waits for a free slot included (60 minutes by default).</param>
/// <param name="time">The clock.</param>
public sealed class GlueRuns(AwsJsonClient glue, Action<string> log, TimeSpan? poll = null, TimeSpan? deadline = null, TimeProvider? time = null)
{
    private static readonly HashSet<string> FailedStates = new(StringComparer.Ordinal) { "FAILED", "STOPPED", "TIMEOUT", "ERROR", "EXPIRED" };
    private static readonly TimeSpan StartGrace = TimeSpan.FromSeconds(10);

    private readonly TimeSpan _poll = poll ?? TimeSpan.FromSeconds(10);
    private readonly TimeSpan _deadline = deadline ?? TimeSpan.FromMinutes(60);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _logLock = new();

    /// <summary>How long a state may last unchanged before a "still ..." line is logged.</summary>
    public static TimeSpan Heartbeat { get; } = TimeSpan.FromSeconds(60);

    /// <summary>How far Glue's clock may be behind ours when telling our crawl from an earlier one by its StartTime.</summary>
    public static TimeSpan ClockSkew { get; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Starts a crawler and waits for its crawl to end; a crawl already going (someone else's) is waited
    /// out first. Throws <see cref="GlueRunException"/> when the crawl FAILED or was CANCELLED, or at the
    /// deadline (our crawl is then stopped).
    /// </summary>
    public async Task<GlueCrawlOutcome> CrawlAsync(string crawler, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(crawler);
        var begun = _time.GetUtcNow();
        var until = begun + _deadline;
        DateTimeOffset? before = null;
        DateTimeOffset ourStart;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ourStart = _time.GetUtcNow();
            try
            {
                await glue.CallAsync("StartCrawler", new JsonObject { ["Name"] = crawler }, cancellationToken);
                break;
            }
            catch (AwsException ex) when (ex.Code == "CrawlerRunningException")
            {
                Log($"{crawler} is already crawling (not our crawl): waiting for it to finish, then starting ours");
                before = await WaitForOthersAsync(crawler, begun, until, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Cancelled while StartCrawler was in flight: it may have started ours.
                await StopCrawlerAsync(crawler, "cancelled");
                throw;
            }
        }

        Log($"{crawler} crawl started {Clock(ourStart - begun)}");
        try
        {
            return await WaitForCrawlAsync(crawler, ourStart, before, until, cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException or AwsException)
        {
            // Cancelled, or we can no longer follow it: the crawl is ours, do not leave it running.
            await StopCrawlerAsync(crawler, ex is OperationCanceledException ? "cancelled" : "it can no longer be followed");
            throw;
        }
    }

    /// <summary>
    /// Starts a job run with these arguments (keys as Glue wants them, <c>--name</c>; a key without the
    /// dashes gets them) and waits for it to end. Throws <see cref="GlueRunException"/> when it ends in
    /// anything but SUCCEEDED, or at the deadline (the run is then stopped).
    /// </summary>
    public async Task<GlueJobOutcome> RunJobAsync(string job, IReadOnlyDictionary<string, string> arguments, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(job);
        ArgumentNullException.ThrowIfNull(arguments);
        var begun = _time.GetUtcNow();
        var until = begun + _deadline;
        var (runId, attempt) = await StartJobRunAsync(job, arguments, begun, until, cancellationToken);
        try
        {
            return await WaitForJobRunAsync(job, runId, attempt, begun, until, cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException or AwsException)
        {
            // Cancelled, or we can no longer follow it: the run is ours, do not leave it running.
            await StopJobRunAsync(job, runId, ex is OperationCanceledException ? "cancelled" : "it can no longer be followed");
            throw;
        }
    }

    /// <summary>
    /// Runs groups of independent jobs: the groups in order, the members of a group concurrently. When
    /// a member fails, its siblings still run to their end, the next groups are not started, and a
    /// <see cref="GlueRunException"/> reports the failure that happened first (then the others), with
    /// every outcome. On cancellation every run of the group is stopped, then the cancellation is thrown.
    /// </summary>
    /// <returns>The outcomes, in the order the groups list the jobs.</returns>
    public async Task<IReadOnlyList<GlueJobOutcome>> RunJobsAsync(IReadOnlyList<IReadOnlyList<(string Job, IReadOnlyDictionary<string, string> Arguments)>> groups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var outcomes = new List<GlueJobOutcome>();
        for (var g = 0; g < groups.Count; g++)
        {
            var group = groups[g];
            if (group.Count == 0)
            {
                continue;
            }

            Log(string.Create(CultureInfo.InvariantCulture, $"Running {string.Join(", ", group.Select(m => m.Job))} (group {g + 1} of {groups.Count})"));
            var failures = new ConcurrentQueue<Exception>();
            var runs = group.Select(async member =>
            {
                try
                {
                    return await RunJobAsync(member.Job, member.Arguments, cancellationToken);
                }
                catch (Exception ex)
                {
                    // In the order they happen: the first failure is reported first.
                    failures.Enqueue(ex);
                    throw;
                }
            }).ToArray();

            try
            {
                await Task.WhenAll(runs);
            }
            catch (Exception) when (!failures.IsEmpty)
            {
                // Every failure is in failures; reported below, after the siblings have ended.
            }

            foreach (var run in runs)
            {
                if (run.IsCompletedSuccessfully)
                {
                    outcomes.Add(run.Result);
                }
                else if (run.Exception?.InnerException is GlueRunException { Job: { } failed })
                {
                    outcomes.Add(failed);
                }
            }

            if (failures.IsEmpty)
            {
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var all = failures.ToArray();
            var message = all.Length == 1
                ? all[0].Message
                : string.Create(CultureInfo.InvariantCulture, $"{all[0].Message} ({all.Length - 1} more of the group failed after it: {string.Join(" | ", all.Skip(1).Select(f => f.Message))})");
            throw new GlueRunException(message, all, outcomes);
        }

        return outcomes;
    }

    /// <summary>StartJobRun, waiting out ConcurrentRunsExceededException; never repeated after a call that may have started a run.</summary>
    private async Task<(string RunId, int Attempt)> StartJobRunAsync(string job, IReadOnlyDictionary<string, string> arguments, DateTimeOffset begun, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["JobName"] = job };
        if (arguments.Count > 0)
        {
            request["Arguments"] = new JsonObject(arguments.Select(a => KeyValuePair.Create(a.Key.StartsWith("--", StringComparison.Ordinal) ? a.Key : "--" + a.Key, (JsonNode?)JsonValue.Create(a.Value))));
        }

        var lastLine = begun;
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            JsonObject output;
            try
            {
                output = await StartWithGraceAsync(request, cancellationToken);
            }
            catch (AwsException ex) when (ex.Code == "ConcurrentRunsExceededException")
            {
                var now = _time.GetUtcNow();
                if (attempt == 1)
                {
                    Log($"{job} cannot start yet: {ex.AwsMessage} (ConcurrentRunsExceededException); waiting for a free slot");
                    lastLine = now;
                }
                else if (now - lastLine >= Heartbeat)
                {
                    Log($"{job} still waiting for a free slot to start after {Clock(now - begun)}");
                    lastLine = now;
                }

                if (now >= until)
                {
                    throw new GlueRunException(
                        $"Glue job {job} could not start within the deadline of {Took(_deadline)}: its concurrent runs stayed exceeded ({ex.AwsMessage})",
                        new GlueJobOutcome(job, string.Empty, "NOT_STARTED", ex.AwsMessage, null, now - begun, attempt));
                }

                await Task.Delay(_poll, _time, cancellationToken);
                continue;
            }

            if ((string?)output["JobRunId"] is not { Length: > 0 } runId)
            {
                throw new GlueRunException($"Glue StartJobRun of {job} answered without a JobRunId");
            }

            if (cancellationToken.IsCancellationRequested)
            {
                await StopJobRunAsync(job, runId, "cancelled");
                cancellationToken.ThrowIfCancellationRequested();
            }

            Log(string.Create(CultureInfo.InvariantCulture, $"{job} {runId} started{(attempt > 1 ? $" (attempt {attempt})" : string.Empty)}"));
            return (runId, attempt);
        }
    }

    /// <summary>
    /// StartJobRun under a token that is cancelled <see cref="StartGrace"/> after the caller's: a run the
    /// call started is then known by its id (and stopped) instead of running on unseen.
    /// </summary>
    private async Task<JsonObject> StartWithGraceAsync(JsonObject request, CancellationToken cancellationToken)
    {
        using var grace = new CancellationTokenSource();
        using var registration = cancellationToken.Register(() => grace.CancelAfter(StartGrace));
        try
        {
            // No client token exists for StartJobRun: a retry after a timeout could start a second run.
            return await glue.CallAsync("StartJobRun", request, grace.Token, idempotent: false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    private async Task<GlueJobOutcome> WaitForJobRunAsync(string job, string runId, int attempt, DateTimeOffset begun, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var progress = new WaitProgress(begun);
        while (true)
        {
            var output = await glue.CallAsync("GetJobRun", new JsonObject { ["JobName"] = job, ["RunId"] = runId, ["PredecessorsIncluded"] = false }, cancellationToken);
            var run = output["JobRun"] as JsonObject ?? throw new GlueRunException($"Glue GetJobRun of {job} {runId} answered without a JobRun");
            var now = _time.GetUtcNow();
            var current = (string?)run["JobRunState"] ?? "UNKNOWN";
            var line = progress.Observe(current, now);

            if (current == "SUCCEEDED" || FailedStates.Contains(current))
            {
                var failed = current != "SUCCEEDED";
                var error = (string?)run["ErrorMessage"] is { Length: > 0 } e ? e : null;
                var logGroup = JobLogGroup((string?)run["LogGroupName"], failed ? "error" : "output");
                var duration = Epoch(run["StartedOn"]) is { } startedOn && Epoch(run["CompletedOn"]) is { } completedOn && completedOn >= startedOn ? completedOn - startedOn : now - begun;
                var outcome = new GlueJobOutcome(job, runId, current, error, logGroup, duration, attempt);
                if (!failed)
                {
                    Log($"{job} {runId} SUCCEEDED {Clock(now - begun)}");
                    return outcome;
                }

                var why = (error, current) switch
                {
                    ({ } message, _) => ": " + message,
                    (null, "TIMEOUT") => " (it ran longer than its timeout)",
                    (null, "STOPPED") => " (someone or something else stopped it)",
                    (null, "EXPIRED") => " (it was not given capacity in time)",
                    _ => " (Glue gave no error message)",
                };
                Log($"{job} {runId} {current} {Clock(now - begun)}{why}. Logs: {logGroup} (log stream {runId})");
                throw new GlueRunException($"Glue job {job} run {runId} {current} after {Took(duration)}{why}. Logs: {logGroup} (log stream {runId})", outcome);
            }

            if (line == WaitLine.Changed)
            {
                Log($"{job} {runId} {Describe(current)} {Clock(now - begun)}");
            }
            else if (line == WaitLine.Heartbeat)
            {
                Log($"{job} {runId} still {Describe(current)} after {Clock(now - progress.Since)}");
            }

            if (now >= until)
            {
                var stopped = await StopJobRunAsync(job, runId, "deadline");
                throw new GlueRunException(
                    $"Glue job {job} run {runId} did not finish within the deadline of {Took(_deadline)}: it was {Describe(current)} for {Took(now - progress.Since)} ({Took(now - begun)} in all); {(stopped ? "it was stopped" : "it could not be stopped: stop it in the Glue console")}",
                    new GlueJobOutcome(job, runId, current, null, JobLogGroup((string?)run["LogGroupName"], "error"), now - begun, attempt));
            }

            await Task.Delay(_poll, _time, cancellationToken);
        }
    }

    /// <summary>Waits until someone else's crawl has ended (the crawler is READY); returns the StartTime of the LastCrawl it then shows.</summary>
    private async Task<DateTimeOffset?> WaitForOthersAsync(string crawler, DateTimeOffset begun, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var progress = new WaitProgress(begun);
        while (true)
        {
            var found = await GetCrawlerAsync(crawler, cancellationToken);
            var now = _time.GetUtcNow();
            var current = (string?)found["State"] ?? "UNKNOWN";
            if (current == "READY")
            {
                Log($"{crawler} READY (the other crawl ended) {Clock(now - begun)}");
                return Epoch(found["LastCrawl"]?["StartTime"]);
            }

            switch (progress.Observe(current, now))
            {
                case WaitLine.Changed:
                    Log($"{crawler} {current} (not our crawl) {Clock(now - begun)}");
                    break;
                case WaitLine.Heartbeat:
                    Log($"{crawler} still {current} (not our crawl) after {Clock(now - progress.Since)}");
                    break;
            }

            if (now >= until)
            {
                // Not ours: it is not stopped.
                throw new GlueRunException(
                    $"Glue crawler {crawler} was still busy with a crawl that is not ours ({current} for {Took(now - progress.Since)}) at the deadline of {Took(_deadline)}; ours was not started",
                    new GlueCrawlOutcome(crawler, current, null, null, null, now - begun));
            }

            await Task.Delay(_poll, _time, cancellationToken);
        }
    }

    /// <summary>
    /// Waits for our crawl to end: the crawler READY with a LastCrawl that started after our StartCrawler
    /// (by Glue's StartTime, with <see cref="ClockSkew"/>), or - should our clock be ahead of Glue's - a
    /// LastCrawl newer than the one before ours once we have seen the crawler busy after our start.
    /// </summary>
    private async Task<GlueCrawlOutcome> WaitForCrawlAsync(string crawler, DateTimeOffset ourStart, DateTimeOffset? before, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var progress = new WaitProgress(ourStart);
        var sawBusy = false;
        while (true)
        {
            var found = await GetCrawlerAsync(crawler, cancellationToken);
            var now = _time.GetUtcNow();
            var current = (string?)found["State"] ?? "UNKNOWN";
            var lastCrawl = found["LastCrawl"] as JsonObject;
            var lastStart = Epoch(lastCrawl?["StartTime"]);
            if (current != "READY")
            {
                sawBusy = true;
            }

            var ours = current == "READY" && lastStart is { } started
                && (started >= ourStart - ClockSkew || (sawBusy && (before is null || started > before)));
            if (ours)
            {
                var status = (string?)lastCrawl!["Status"] ?? "UNKNOWN";
                var error = (string?)lastCrawl["ErrorMessage"] is { Length: > 0 } e ? e : null;
                var outcome = new GlueCrawlOutcome(crawler, status, error, (string?)lastCrawl["LogGroup"], (string?)lastCrawl["LogStream"], now - ourStart);
                if (status == "SUCCEEDED")
                {
                    Log($"{crawler} crawl SUCCEEDED {Clock(now - ourStart)}");
                    return outcome;
                }

                var why = error is not null ? ": " + error : status == "CANCELLED" ? " (someone or something else stopped it)" : " (Glue gave no error message)";
                var logs = outcome.LogGroup is null ? string.Empty : $". Logs: {outcome.LogGroup} (log stream {outcome.LogStream ?? crawler})";
                Log($"{crawler} crawl {status} {Clock(now - ourStart)}{why}{logs}");
                throw new GlueRunException($"Glue crawler {crawler} crawl {status} after {Took(now - ourStart)}{why}{logs}", outcome);
            }

            switch (progress.Observe(current, now))
            {
                case WaitLine.Changed:
                    Log(current == "READY"
                        ? $"{crawler} READY, but its last crawl {(lastStart is { } s ? "started " + s.ToString("u", CultureInfo.InvariantCulture) : "is not known")}, before ours: waiting for ours to show"
                        : $"{crawler} {current} {Clock(now - ourStart)}");
                    break;
                case WaitLine.Heartbeat:
                    Log($"{crawler} still {current} after {Clock(now - progress.Since)}");
                    break;
            }

            if (now >= until)
            {
                var stopped = await StopCrawlerAsync(crawler, "deadline");
                throw new GlueRunException(
                    $"Glue crawler {crawler} did not finish within the deadline of {Took(_deadline)}: it was {current} for {Took(now - progress.Since)} ({Took(now - ourStart)} since our start); {(stopped ? "it was stopped" : "it could not be stopped: stop it in the Glue console")}",
                    new GlueCrawlOutcome(crawler, current, null, (string?)lastCrawl?["LogGroup"], (string?)lastCrawl?["LogStream"], now - ourStart));
            }

            await Task.Delay(_poll, _time, cancellationToken);
        }
    }

    private async Task<JsonObject> GetCrawlerAsync(string crawler, CancellationToken cancellationToken)
    {
        var output = await glue.CallAsync("GetCrawler", new JsonObject { ["Name"] = crawler }, cancellationToken);
        return output["Crawler"] as JsonObject ?? throw new GlueRunException($"Glue GetCrawler of {crawler} answered without a Crawler");
    }

    /// <summary>Stops our run, best effort (not cancellable: it is what cancellation does); false when Glue did not stop it.</summary>
    private async Task<bool> StopJobRunAsync(string job, string runId, string why)
    {
        Log($"{job} {runId}: stopping it ({why})");
        try
        {
            var output = await glue.CallAsync("BatchStopJobRun", new JsonObject { ["JobName"] = job, ["JobRunIds"] = new JsonArray(runId) }, CancellationToken.None);
            var errors = (output["Errors"] as JsonArray ?? []).OfType<JsonObject>().ToArray();
            foreach (var error in errors)
            {
                Log($"{job} {runId}: Glue did not stop it: {(string?)error["ErrorDetail"]?["ErrorCode"]}: {(string?)error["ErrorDetail"]?["ErrorMessage"]}");
            }

            return errors.Length == 0;
        }
        catch (Exception ex) when (ex is AwsException or OperationCanceledException)
        {
            Log($"{job} {runId}: could not stop it ({ex.Message}); stop it in the Glue console");
            return false;
        }
    }

    /// <summary>Stops our crawl, best effort (not cancellable: it is what cancellation does); false when it could not be stopped.</summary>
    private async Task<bool> StopCrawlerAsync(string crawler, string why)
    {
        Log($"{crawler}: stopping the crawl ({why})");
        try
        {
            await glue.CallAsync("StopCrawler", new JsonObject { ["Name"] = crawler }, CancellationToken.None);
        }
        catch (AwsException ex) when (ex.Code is "CrawlerNotRunningException" or "CrawlerStoppingException")
        {
            // Already ended, or already stopping.
        }
        catch (Exception ex) when (ex is AwsException or OperationCanceledException)
        {
            Log($"{crawler}: could not stop the crawl ({ex.Message}); stop it in the Glue console");
            return false;
        }

        return true;
    }

    /// <summary>What a wait should print after a poll: nothing, the new state, or a heartbeat that the state lasts.</summary>
    private enum WaitLine
    {
        None,
        Changed,
        Heartbeat,
    }

    /// <summary>The state a wait has seen, since when, and when it last said so: a line on each change, a heartbeat every <see cref="Heartbeat"/> while it lasts.</summary>
    private sealed class WaitProgress(DateTimeOffset begun)
    {
        private string? _state;
        private DateTimeOffset _lastLine = begun;

        /// <summary>When the current state was first seen.</summary>
        public DateTimeOffset Since { get; private set; } = begun;

        /// <summary>Records the state seen at <paramref name="now"/> and says which line, if any, is due.</summary>
        public WaitLine Observe(string state, DateTimeOffset now)
        {
            if (state != _state)
            {
                (_state, Since, _lastLine) = (state, now, now);
                return WaitLine.Changed;
            }

            if (now - _lastLine < Heartbeat)
            {
                return WaitLine.None;
            }

            _lastLine = now;
            return WaitLine.Heartbeat;
        }
    }

    private void Log(string line)
    {
        lock (_logLock)
        {
            log(line);
        }
    }

    /// <summary>
    /// A job run's error or output log group: under JobRun.LogGroupName when given (Glue answers
    /// <c>/aws-glue/jobs</c>, or a security configuration's <c>/aws-glue/jobs-role-config/</c>), else
    /// under <c>/aws-glue/jobs</c>.
    /// </summary>
    private static string JobLogGroup(string? logGroupName, string kind)
    {
        var root = (logGroupName is { Length: > 0 } name ? name : "/aws-glue/jobs").TrimEnd('/');
        if (root.EndsWith("/error", StringComparison.Ordinal) || root.EndsWith("/output", StringComparison.Ordinal))
        {
            root = root[..root.LastIndexOf('/')];
        }

        return $"{root}/{kind}";
    }

    private static string Describe(string state) => state switch
    {
        "WAITING" => "WAITING (queued for capacity)",
        "STARTING" or "RUNNING" or "STOPPING" => state,
        _ => $"{state} (a state this pipeline does not know; waiting on)",
    };

    /// <summary>A Glue timestamp: epoch seconds (JSON 1.1), or ISO 8601 text.</summary>
    private static DateTimeOffset? Epoch(JsonNode? node) => node switch
    {
        JsonValue value when value.GetValueKind() == JsonValueKind.Number && double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) => DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond)),
        JsonValue value when value.TryGetValue(out string? text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) => parsed,
        _ => null,
    };

    /// <summary>Elapsed time as a clock shows it: <c>0:42</c>, <c>12:05</c>, <c>1:02:03</c>.</summary>
    private static string Clock(TimeSpan elapsed)
    {
        elapsed = elapsed < TimeSpan.Zero ? TimeSpan.Zero : elapsed;
        return elapsed.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)elapsed.TotalHours}:{elapsed.Minutes:00}:{elapsed.Seconds:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)elapsed.TotalMinutes}:{elapsed.Seconds:00}");
    }

    /// <summary>A duration in words: <c>42s</c>, <c>3m12s</c>, <c>1h02m03s</c>.</summary>
    private static string Took(TimeSpan duration)
    {
        duration = duration < TimeSpan.Zero ? TimeSpan.Zero : duration;
        return duration.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours}h{duration.Minutes:00}m{duration.Seconds:00}s")
            : duration.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes}m{duration.Seconds:00}s")
            : string.Create(CultureInfo.InvariantCulture, $"{duration.Seconds}s");
    }
}
