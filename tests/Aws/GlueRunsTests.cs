using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using GluePipeline.Aws;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Aws;

/// <summary>
/// Glue job runs and crawls against the fake Glue endpoint (every request checked against botocore):
/// each state logged once, failures naming their state, error and logs, ConcurrentRunsExceeded and
/// someone else's crawl waited out, our run stopped at the deadline and on cancellation, and
/// independent jobs run concurrently, group by group.
/// </summary>
public sealed class GlueRunsTests : IDisposable
{
    private const string Job = "taxi_etl";
    private const string Crawler = "taxi_raw";
    private static readonly double Before = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds() / 1000.0;
    private static readonly double Later = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds() / 1000.0;
    private readonly FakeAws _glue = new("glue", "AWSGlue");
    private readonly ConcurrentQueue<string> _log = new();

    public void Dispose() => _glue.Dispose();

    private GlueRuns Runs(TimeSpan? deadline = null, TimeProvider? time = null, Action<string>? log = null) => new(
        _glue.JsonClient(),
        log ?? _log.Enqueue,
        poll: TimeSpan.FromMilliseconds(1),
        deadline: deadline ?? TimeSpan.FromSeconds(30),
        time: time);

    private static Dictionary<string, string> Arguments => new() { ["raw_bucket"] = "raw-1", ["--day"] = "2026-11-27" };

    private static JsonObject JobRun(string runId, string state, string? error = null, string? logGroupName = null, double? startedOn = null, double? completedOn = null, string job = Job)
    {
        var run = new JsonObject { ["Id"] = runId, ["Attempt"] = 0, ["JobName"] = job, ["JobRunState"] = state };
        if (error is not null)
        {
            run["ErrorMessage"] = error;
        }

        if (logGroupName is not null)
        {
            run["LogGroupName"] = logGroupName;
        }

        if (startedOn is not null)
        {
            run["StartedOn"] = startedOn;
        }

        if (completedOn is not null)
        {
            run["CompletedOn"] = completedOn;
        }

        return new JsonObject { ["JobRun"] = run };
    }

    private static JsonObject CrawlerState(string state, string? lastStatus = null, double? lastStart = null, string? error = null)
    {
        var crawler = new JsonObject { ["Name"] = Crawler, ["State"] = state, ["DatabaseName"] = "taxi_db" };
        if (lastStatus is not null)
        {
            var last = new JsonObject { ["Status"] = lastStatus, ["StartTime"] = lastStart, ["LogGroup"] = "/aws-glue/crawlers", ["LogStream"] = Crawler };
            if (error is not null)
            {
                last["ErrorMessage"] = error;
            }

            crawler["LastCrawl"] = last;
        }

        return new JsonObject { ["Crawler"] = crawler };
    }

    private static JsonObject Stopped(string job, string runId) => new()
    {
        ["SuccessfulSubmissions"] = new JsonArray(new JsonObject { ["JobName"] = job, ["JobRunId"] = runId }),
        ["Errors"] = new JsonArray(),
    };

    private int Count(string operation, Func<FakeAwsRequest, bool>? where = null) =>
        _glue.Requests.Count(r => r.Operation == operation && (where is null || where(r)));

    /// <summary>
    /// Debian's botocore (1.29) predates the EXPIRED job run state, and no model knows a made-up state:
    /// the fake then reports the standing output it was told to give. Nothing else may be wrong.
    /// </summary>
    private void NoRequestProblemsBut(string state) =>
        _glue.RequestProblems.Where(p => !p.Contains($"JobRunState: '{state}' is not one of", StringComparison.Ordinal)).Should().BeEmpty();

    [SkippableFact]
    public async Task A_job_queued_then_running_then_failed_names_its_error_and_log_group_and_each_state_is_logged_once()
    {
        const string error = "An error occurred while calling o101.pyWriteDynamicFrame. Access Denied";
        _glue.Returns("StartJobRun", new JsonObject { ["JobRunId"] = "jr_abc" })
            .Returns("GetJobRun", JobRun("jr_abc", "WAITING"))
            .Returns("GetJobRun", JobRun("jr_abc", "WAITING"))
            .Returns("GetJobRun", JobRun("jr_abc", "RUNNING"))
            .Returns("GetJobRun", JobRun("jr_abc", "RUNNING"))
            .Returns("GetJobRun", JobRun("jr_abc", "FAILED", error, "/aws-glue/jobs-taxi-role-kms/", 1_800_000_000, 1_800_000_192));

        var run = () => Runs().RunJobAsync(Job, Arguments, CancellationToken.None);

        var failure = (await run.Should().ThrowAsync<GlueRunException>()).Which;
        failure.Message.Should().Be($"Glue job taxi_etl run jr_abc FAILED after 3m12s: {error}. Logs: /aws-glue/jobs-taxi-role-kms/error (log stream jr_abc)");
        failure.Job.Should().Be(new GlueJobOutcome(Job, "jr_abc", "FAILED", error, "/aws-glue/jobs-taxi-role-kms/error", TimeSpan.FromSeconds(192), 1));
        _log.Count(l => l.StartsWith("taxi_etl jr_abc WAITING (queued for capacity) ", StringComparison.Ordinal)).Should().Be(1);
        _log.Count(l => l.StartsWith("taxi_etl jr_abc RUNNING ", StringComparison.Ordinal)).Should().Be(1);
        _log.Should().ContainSingle(l => l.StartsWith("taxi_etl jr_abc FAILED ", StringComparison.Ordinal))
            .Which.Should().EndWith($": {error}. Logs: /aws-glue/jobs-taxi-role-kms/error (log stream jr_abc)");
        _glue.Requests.Where(r => r.Operation == "GetJobRun").Should().HaveCount(5).And.OnlyContain(r =>
            (string?)r.Body["JobName"] == Job && (string?)r.Body["RunId"] == "jr_abc" && r.Body["PredecessorsIncluded"]!.GetValue<bool>() == false);
        Count("BatchStopJobRun").Should().Be(0, "a run that ended is not stopped");
        _glue.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task A_job_waits_out_concurrent_runs_exceeded_then_starts_runs_and_succeeds()
    {
        _glue.Fails("StartJobRun", 400, "ConcurrentRunsExceededException", "Concurrent runs exceeded for taxi_etl")
            .Returns("StartJobRun", new JsonObject { ["JobRunId"] = "jr_ok" })
            .Returns("GetJobRun", JobRun("jr_ok", "STARTING"))
            .Returns("GetJobRun", JobRun("jr_ok", "RUNNING"))
            .Returns("GetJobRun", JobRun("jr_ok", "SUCCEEDED", startedOn: 1_800_000_000.5, completedOn: 1_800_000_075.5));

        var outcome = await Runs().RunJobAsync(Job, Arguments, CancellationToken.None);

        outcome.Should().Be(new GlueJobOutcome(Job, "jr_ok", "SUCCEEDED", null, "/aws-glue/jobs/output", TimeSpan.FromSeconds(75), 2));
        var starts = _glue.Requests.Where(r => r.Operation == "StartJobRun").ToArray();
        starts.Should().HaveCount(2);
        starts.Should().OnlyContain(r => r.Body.ToJsonString() == """{"JobName":"taxi_etl","Arguments":{"--raw_bucket":"raw-1","--day":"2026-11-27"}}""");
        _log.Should().ContainSingle(l => l.Contains("ConcurrentRunsExceededException", StringComparison.Ordinal))
            .And.ContainSingle(l => l == "taxi_etl jr_ok started (attempt 2)")
            .And.ContainSingle(l => l.StartsWith("taxi_etl jr_ok STARTING ", StringComparison.Ordinal))
            .And.ContainSingle(l => l.StartsWith("taxi_etl jr_ok RUNNING ", StringComparison.Ordinal))
            .And.ContainSingle(l => l.StartsWith("taxi_etl jr_ok SUCCEEDED ", StringComparison.Ordinal));
        _glue.RequestProblems.Should().BeEmpty();
    }

    [SkippableTheory]
    [InlineData("TIMEOUT", "(it ran longer than its timeout)")]
    [InlineData("ERROR", "(Glue gave no error message)")]
    [InlineData("EXPIRED", "(it was not given capacity in time)")]
    public async Task A_job_that_ends_TIMEOUT_ERROR_or_EXPIRED_fails_with_its_state_named(string state, string why)
    {
        _glue.Returns("StartJobRun", new JsonObject { ["JobRunId"] = "jr_end" })
            .Returns("GetJobRun", JobRun("jr_end", "RUNNING"))
            .Otherwise("GetJobRun", _ => JobRun("jr_end", state, startedOn: 1_800_000_000, completedOn: 1_800_003_723));

        var run = () => Runs().RunJobAsync(Job, Arguments, CancellationToken.None);

        var failure = (await run.Should().ThrowAsync<GlueRunException>()).Which;
        failure.Message.Should().Be($"Glue job taxi_etl run jr_end {state} after 1h02m03s {why}. Logs: /aws-glue/jobs/error (log stream jr_end)");
        failure.Job!.State.Should().Be(state);
        Count("BatchStopJobRun").Should().Be(0);
        NoRequestProblemsBut(state);
    }

    [SkippableFact]
    public async Task An_unknown_state_is_waited_through()
    {
        var polls = 0;
        _glue.Returns("StartJobRun", new JsonObject { ["JobRunId"] = "jr_new" })
            .Otherwise("GetJobRun", _ => JobRun("jr_new", Interlocked.Increment(ref polls) <= 3 ? "PENDING_EXECUTION" : "SUCCEEDED"));

        var outcome = await Runs().RunJobAsync(Job, Arguments, CancellationToken.None);

        (outcome.State, outcome.Attempt).Should().Be(("SUCCEEDED", 1));
        Count("GetJobRun").Should().Be(4);
        _log.Should().ContainSingle(l => l.Contains("PENDING_EXECUTION", StringComparison.Ordinal))
            .Which.Should().StartWith("taxi_etl jr_new PENDING_EXECUTION (a state this pipeline does not know; waiting on) ");
        NoRequestProblemsBut("PENDING_EXECUTION");
    }

    [SkippableFact]
    public async Task A_crawler_already_running_is_waited_out_then_ours_is_started_and_an_earlier_last_crawl_is_not_taken_as_ours()
    {
        // Someone else's crawl is going: it ends (FAILED, which is not ours to report), then ours runs.
        _glue.Fails("StartCrawler", 400, "CrawlerRunningException", "Crawler with name taxi_raw has already started")
            .Returns("GetCrawler", CrawlerState("RUNNING", "SUCCEEDED", Before - 3600))
            .Returns("GetCrawler", CrawlerState("READY", "FAILED", Before, "someone else's crawl failed"))
            .Returns("StartCrawler", [])
            .Returns("GetCrawler", CrawlerState("READY", "FAILED", Before, "someone else's crawl failed"))
            .Returns("GetCrawler", CrawlerState("RUNNING", "FAILED", Before, "someone else's crawl failed"))
            .Returns("GetCrawler", CrawlerState("READY", "SUCCEEDED", Later));

        var outcome = await Runs().CrawlAsync(Crawler, CancellationToken.None);

        (outcome.CrawlerName, outcome.Status, outcome.ErrorMessage, outcome.LogGroup, outcome.LogStream).Should().Be((Crawler, "SUCCEEDED", null, "/aws-glue/crawlers", Crawler));
        _glue.Requests.Select(r => r.Operation).Should().Equal("StartCrawler", "GetCrawler", "GetCrawler", "StartCrawler", "GetCrawler", "GetCrawler", "GetCrawler");
        _glue.Requests.Should().OnlyContain(r => (string?)r.Body["Name"] == Crawler);
        _log.Should().Contain(l => l.StartsWith("taxi_raw is already crawling (not our crawl)", StringComparison.Ordinal))
            .And.Contain(l => l.StartsWith("taxi_raw READY, but its last crawl started ", StringComparison.Ordinal))
            .And.ContainSingle(l => l.StartsWith("taxi_raw crawl SUCCEEDED ", StringComparison.Ordinal));
        _glue.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task Our_crawl_is_recognised_when_our_clock_is_ahead_of_Glues()
    {
        var glueClockBehind = DateTimeOffset.UtcNow.AddSeconds(-30).ToUnixTimeMilliseconds() / 1000.0;
        _glue.Returns("StartCrawler", [])
            .Returns("GetCrawler", CrawlerState("RUNNING", "SUCCEEDED", Before))
            .Returns("GetCrawler", CrawlerState("READY", "SUCCEEDED", glueClockBehind));

        var outcome = await Runs().CrawlAsync(Crawler, CancellationToken.None);

        outcome.Status.Should().Be("SUCCEEDED");
        Count("GetCrawler").Should().Be(2, "seen busy after our start, then READY with a newer crawl: that crawl is ours");
        _glue.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task A_failed_crawl_names_its_error_log_group_and_log_stream()
    {
        const string error = "Insufficient Lake Formation permission(s) on taxi_db";
        _glue.Returns("StartCrawler", [])
            .Returns("GetCrawler", CrawlerState("RUNNING", "SUCCEEDED", Before))
            .Returns("GetCrawler", CrawlerState("STOPPING", "SUCCEEDED", Before))
            .Returns("GetCrawler", CrawlerState("READY", "FAILED", Later, error));

        var crawl = () => Runs().CrawlAsync(Crawler, CancellationToken.None);

        var failure = (await crawl.Should().ThrowAsync<GlueRunException>()).Which;
        failure.Message.Should().Match($"Glue crawler taxi_raw crawl FAILED after *s: {error}. Logs: /aws-glue/crawlers (log stream taxi_raw)");
        (failure.Crawl!.Status, failure.Crawl.ErrorMessage, failure.Crawl.LogGroup, failure.Crawl.LogStream).Should().Be(("FAILED", error, "/aws-glue/crawlers", Crawler));
        Count("StopCrawler").Should().Be(0, "a crawl that ended is not stopped");
        _glue.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task At_the_deadline_a_running_job_is_stopped_and_the_error_says_how_long_it_was_in_which_state()
    {
        // Each look at the clock is 20 s later: heartbeats and the deadline without waiting for them.
        _glue.Returns("StartJobRun", new JsonObject { ["JobRunId"] = "jr_slow" })
            .Otherwise("GetJobRun", _ => JobRun("jr_slow", "RUNNING"))
            .Returns("BatchStopJobRun", Stopped(Job, "jr_slow"));

        var run = () => Runs(TimeSpan.FromMinutes(5), new SteppingClock(TimeSpan.FromSeconds(20))).RunJobAsync(Job, Arguments, CancellationToken.None);

        var failure = (await run.Should().ThrowAsync<GlueRunException>()).Which;
        failure.Message.Should().Be("Glue job taxi_etl run jr_slow did not finish within the deadline of 5m00s: it was RUNNING for 4m40s (5m00s in all); it was stopped");
        failure.Job!.State.Should().Be("RUNNING");
        var stop = _glue.Requests.Single(r => r.Operation == "BatchStopJobRun");
        stop.Body.ToJsonString().Should().Be("""{"JobName":"taxi_etl","JobRunIds":["jr_slow"]}""");
        _log.Where(l => l.Contains(" still ", StringComparison.Ordinal)).Should().Equal(
            "taxi_etl jr_slow still RUNNING after 1:00",
            "taxi_etl jr_slow still RUNNING after 2:00",
            "taxi_etl jr_slow still RUNNING after 3:00",
            "taxi_etl jr_slow still RUNNING after 4:00");
        _log.Should().ContainSingle(l => l.StartsWith("taxi_etl jr_slow RUNNING ", StringComparison.Ordinal)).Which.Should().Be("taxi_etl jr_slow RUNNING 0:20");
        _glue.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task Cancelling_while_a_job_runs_stops_it_and_throws_the_cancellation()
    {
        // Cancelled when RUNNING is shown, between polls: a request aborted in flight would leave the fake's answer unwritten.
        using var cancel = new CancellationTokenSource();
        _glue.Returns("StartJobRun", new JsonObject { ["JobRunId"] = "jr_c" })
            .Otherwise("GetJobRun", _ => JobRun("jr_c", "RUNNING"))
            .Returns("BatchStopJobRun", Stopped(Job, "jr_c"));
        void Log(string line)
        {
            _log.Enqueue(line);
            if (line.StartsWith("taxi_etl jr_c RUNNING ", StringComparison.Ordinal))
            {
                cancel.Cancel();
            }
        }

        var run = () => Runs(log: Log).RunJobAsync(Job, Arguments, cancel.Token);

        await run.Should().ThrowAsync<OperationCanceledException>();
        _glue.Requests.Single(r => r.Operation == "BatchStopJobRun").Body.ToJsonString().Should().Be("""{"JobName":"taxi_etl","JobRunIds":["jr_c"]}""");
        _log.Should().Contain("taxi_etl jr_c: stopping it (cancelled)");
        _glue.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task Jobs_of_a_group_run_concurrently_and_the_next_group_after_them()
    {
        // taxi_a and taxi_b only succeed once both have been started: run one after the other, they would never end.
        _glue.Otherwise("StartJobRun", request => new JsonObject { ["JobRunId"] = "jr_" + (string?)request["JobName"] })
            .Otherwise("GetJobRun", request =>
            {
                var job = (string)request["JobName"]!;
                var bothStarted = Count("StartJobRun", r => (string?)r.Body["JobName"] is "taxi_a" or "taxi_b") == 2;
                return JobRun("jr_" + job, job == "taxi_c" || bothStarted ? "SUCCEEDED" : "RUNNING", job: job);
            });
        var none = new Dictionary<string, string>();

        var outcomes = await Runs(TimeSpan.FromSeconds(10)).RunJobsAsync([[("taxi_a", none), ("taxi_b", none)], [("taxi_c", Arguments)]], CancellationToken.None);

        outcomes.Select(o => (o.JobName, o.RunId, o.State)).Should().Equal(("taxi_a", "jr_taxi_a", "SUCCEEDED"), ("taxi_b", "jr_taxi_b", "SUCCEEDED"), ("taxi_c", "jr_taxi_c", "SUCCEEDED"));
        var requests = _glue.Requests.ToList();
        var startC = requests.FindIndex(r => r.Operation == "StartJobRun" && (string?)r.Body["JobName"] == "taxi_c");
        startC.Should().BeGreaterThan(requests.FindLastIndex(r => r.Operation == "GetJobRun" && (string?)r.Body["JobName"] != "taxi_c"), "the second group starts after the first has ended");
        requests.Take(startC).Where(r => r.Operation == "StartJobRun").Select(r => (string?)r.Body["JobName"]).Should().BeEquivalentTo(["taxi_a", "taxi_b"]);
        _log.Should().Contain("Running taxi_a, taxi_b (group 1 of 2)").And.Contain("Running taxi_c (group 2 of 2)");
        _glue.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task A_failure_in_a_group_lets_its_sibling_finish_is_reported_and_stops_the_next_groups()
    {
        var aFailed = 0;
        var bPollsAfter = 0;
        _glue.Otherwise("StartJobRun", request => new JsonObject { ["JobRunId"] = "jr_" + (string?)request["JobName"] })
            .Otherwise("GetJobRun", request =>
            {
                if ((string?)request["JobName"] == "taxi_a")
                {
                    Interlocked.Exchange(ref aFailed, 1);
                    return JobRun("jr_taxi_a", "FAILED", "NameError: name 'spark' is not defined", job: "taxi_a");
                }

                var done = Volatile.Read(ref aFailed) == 1 && Interlocked.Increment(ref bPollsAfter) > 3;
                return JobRun("jr_taxi_b", done ? "SUCCEEDED" : "RUNNING", job: "taxi_b");
            });
        var none = new Dictionary<string, string>();

        var run = () => Runs().RunJobsAsync([[("taxi_a", none), ("taxi_b", none)], [("taxi_c", none)]], CancellationToken.None);

        var failure = (await run.Should().ThrowAsync<GlueRunException>()).Which;
        failure.Message.Should().Match("Glue job taxi_a run jr_taxi_a FAILED after *: NameError: name 'spark' is not defined. Logs: /aws-glue/jobs/error (log stream jr_taxi_a)");
        failure.Job!.JobName.Should().Be("taxi_a");
        failure.Failures.Should().ContainSingle();
        failure.Outcomes.Select(o => (o.JobName, o.State)).Should().Equal(("taxi_a", "FAILED"), ("taxi_b", "SUCCEEDED"));
        Count("StartJobRun", r => (string?)r.Body["JobName"] == "taxi_c").Should().Be(0, "the next group is not started after a failure");
        Count("BatchStopJobRun").Should().Be(0, "the sibling is left to finish");
        _glue.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task When_several_runs_of_a_group_fail_the_first_to_fail_is_reported_first()
    {
        // taxi_a times out a few polls after taxi_b's failure has been seen (and logged) by GlueRuns.
        var aPollsAfter = 0;
        _glue.Otherwise("StartJobRun", request => new JsonObject { ["JobRunId"] = "jr_" + (string?)request["JobName"] })
            .Otherwise("GetJobRun", request =>
            {
                if ((string?)request["JobName"] == "taxi_b")
                {
                    return JobRun("jr_taxi_b", "FAILED", "b broke first", job: "taxi_b");
                }

                var bFailed = _log.Any(l => l.StartsWith("taxi_b jr_taxi_b FAILED", StringComparison.Ordinal));
                return JobRun("jr_taxi_a", bFailed && Interlocked.Increment(ref aPollsAfter) > 3 ? "TIMEOUT" : "RUNNING", job: "taxi_a");
            });
        var none = new Dictionary<string, string>();

        var run = () => Runs().RunJobsAsync([[("taxi_a", none), ("taxi_b", none)]], CancellationToken.None);

        var failure = (await run.Should().ThrowAsync<GlueRunException>()).Which;
        failure.Message.Should().StartWith("Glue job taxi_b run jr_taxi_b FAILED after ").And.Contain("b broke first")
            .And.Contain("(1 more of the group failed after it: Glue job taxi_a run jr_taxi_a TIMEOUT after ");
        failure.Failures.Should().HaveCount(2);
        failure.Job!.JobName.Should().Be("taxi_b");
        failure.Outcomes.Select(o => (o.JobName, o.State)).Should().Equal(("taxi_a", "TIMEOUT"), ("taxi_b", "FAILED"));
        _glue.RequestProblems.Should().BeEmpty();
    }

    /// <summary>A clock that moves on by a step each time it is read; its timers are real ones.</summary>
    private sealed class SteppingClock(TimeSpan step) : TimeProvider
    {
        private long _ticks = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero).UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Add(ref _ticks, step.Ticks), TimeSpan.Zero);
    }

    [SkippableFact]
    public async Task In_plan_mode_crawls_and_job_runs_are_recorded_and_succeed_at_once()
    {
        var lines = new List<string>();
        var plan = new AwsPlan(lines.Add);
        var runs = new GlueRuns(new AwsJsonClient(new HttpClient(), "glue", "AWSGlue", plan: plan), _ => { }, poll: TimeSpan.FromMilliseconds(1), deadline: TimeSpan.FromSeconds(5));

        var crawl = await runs.CrawlAsync("raw_crawler", CancellationToken.None);
        var job = await runs.RunJobAsync("taxi_etl", new Dictionary<string, string> { ["scale"] = "1" }, CancellationToken.None);

        crawl.Status.Should().Be("SUCCEEDED");
        job.State.Should().Be("SUCCEEDED");
        _glue.Requests.Should().BeEmpty("plan mode sends nothing");
        var model = AwsServiceModel.Find("glue");
        Skip.If(model is null && !DatabaseServers.IsCi, "botocore's models are not installed (python3-botocore)");
        foreach (var line in lines)
        {
            var call = System.Text.Json.Nodes.JsonNode.Parse(line)!;
            model!.ValidateInput((string)call["operation"]!, call["request"]).Should().BeEmpty(line);
        }

        lines.Select(l => (string?)System.Text.Json.Nodes.JsonNode.Parse(l)!["operation"]).Should().Contain(["StartCrawler", "StartJobRun", "GetJobRun"]);
    }
}
