using System.Xml.Linq;
using GluePipeline.Stacks;

namespace GluePipeline.Tests.Stacks;

/// <summary>AutomatedLiveTest on a local stack, without livetests/ (the target tests run those).</summary>
public sealed class LocalLiveTestTests : IDisposable
{
    private readonly ProductFolder _product = new();

    public void Dispose() => _product.Dispose();

    private async Task<(LiveTestResult Result, RunManifest Manifest, string Reports)> Run(double scale = 0.001)
    {
        var deployment = await LocalStack.DeployAsync(new LocalDeployRequest("livetest-t-000001", _product.StateRoot) { ArtifactDirectory = _product.Path }, CancellationToken.None);
        var reports = Path.Combine(_product.StateRoot, "reports");
        var result = await LocalLiveTest.RunAsync(deployment.Manifest, deployment.ManifestPath, new LiveTestOptions(_product.Path, reports) { Scale = scale, RunLiveTests = false }, _ => { }, CancellationToken.None);
        return (result, deployment.Manifest, reports);
    }

    [Fact]
    public async Task Fixtures_crawlers_jobs_and_rules_run_in_data_flow_order_and_pass()
    {
        var (result, manifest, reports) = await Run();

        result.Passed.Should().BeTrue(string.Join("\n", result.Stages));
        result.Stages.Select(s => s.Kind + ":" + s.Name.Split(' ')[^1]).Should().Equal(
            "fixtures:taxi_livetest_t_000001", "fixtures:quakes_livetest_t_000001",
            $"crawler:{manifest.Crawlers[0].Name}", "job:taxi_livetest_t_000001", "job:quakes_livetest_t_000001", $"crawler:{manifest.Crawlers[1].Name}",
            "rules:taxi_livetest_t_000001", "rules:quakes_livetest_t_000001");
        result.Stages[3].Detail.Should().Contain("read trips 1,070; wrote 1,070 rows");
        result.Rules.Should().HaveCount(2).And.OnlyContain(r => r.AllPassed);
        XDocument.Load(Path.Combine(reports, "livetest.junit.xml")).Descendants("testcase").Should().HaveCount(8);
        XDocument.Load(Path.Combine(reports, "rules.junit.xml")).Descendants("testcase").Should().HaveCount(22);
        File.ReadAllText(Path.Combine(reports, "livetest.html")).Should().Contain("PASSED").And.Contain("job taxi_livetest_t_000001");
    }

    [Fact]
    public async Task A_failing_job_fails_the_run_and_skips_what_depends_on_it()
    {
        var sql = Path.Combine(_product.Path, "jobs", "taxi", "transform.sql");
        File.WriteAllText(sql, File.ReadAllText(sql).Replace("CAST(Store_and_fwd_flag AS STRING)", "x", StringComparison.Ordinal).Replace("Store_and_fwd_flag AS store_and_fwd_flag", "CAST(Store_and_fwd_flag AS INT) AS store_and_fwd_flag", StringComparison.Ordinal));

        var (result, manifest, reports) = await Run();

        result.Passed.Should().BeFalse();
        var stages = result.Stages.ToDictionary(s => s.Kind + ":" + s.Name.Split(' ')[^1]);
        stages["job:taxi_livetest_t_000001"].Outcome.Should().Be(StageOutcome.Failed);
        stages["job:taxi_livetest_t_000001"].Detail.Should().Contain("jobs/taxi/transform.sql:8:3: error JOB-SQL: Conversion Error: Could not convert string").And.Contain("previous output is untouched");
        stages["job:quakes_livetest_t_000001"].Outcome.Should().Be(StageOutcome.Passed, "the quakes job does not depend on the taxi job");
        stages[$"crawler:{manifest.Crawlers[1].Name}"].Outcome.Should().Be(StageOutcome.Skipped);
        stages["rules:taxi_livetest_t_000001"].Should().Match<StageResult>(s => s.Outcome == StageOutcome.Skipped && s.Detail.Contains("failed"));
        XDocument.Load(Path.Combine(reports, "livetest.junit.xml")).Root!.Element("testsuite")!.Attribute("failures")!.Value.Should().Be("1");
    }

    [Fact]
    public async Task A_rule_the_output_breaks_fails_the_run()
    {
        var rules = Path.Combine(_product.Path, "jobs", "quakes", "rules.dqdl");
        File.WriteAllText(rules, File.ReadAllText(rules).Replace("RowCount > 0", "RowCount > 1000", StringComparison.Ordinal));

        var (result, _, _) = await Run();

        result.Passed.Should().BeFalse();
        result.Stages.Single(s => s.Name == "rules of quakes_livetest_t_000001").Detail.Should().Contain("8 of 9 rules passed").And.Contain("FAILED RowCount > 1000");
    }

    [Fact]
    public async Task A_job_the_lane_cannot_run_is_skipped_and_reported_never_passed()
    {
        var template = Path.Combine(_product.Path, "templates", "etl.yaml");
        File.WriteAllText(template, File.ReadAllText(template).Replace("jobs/runtime/glue_runtime.py\n      DefaultArguments:\n        --job_spec: !Sub s3://${ArtifactBucket}/${ArtifactPrefix}/jobs/quakes/job.yaml", "jobs/runtime/legacy.py\n      DefaultArguments:\n        --spec: !Sub s3://${ArtifactBucket}/${ArtifactPrefix}/jobs/quakes/job.yaml", StringComparison.Ordinal));

        var (result, _, reports) = await Run();

        result.Passed.Should().BeTrue("a skip is not a failure");
        result.Stages.Single(s => s.Name == "job quakes_livetest_t_000001").Should().Match<StageResult>(s => s.Outcome == StageOutcome.Skipped && s.Detail == "needs Glue's Spark runtime: runs in the aws lane");
        XDocument.Load(Path.Combine(reports, "livetest.junit.xml")).Descendants("skipped").Should().ContainSingle();
        File.ReadAllText(Path.Combine(reports, "livetest.html")).Should().Contain("Not run in this lane").And.Contain("SKIPPED");
    }

    [Fact]
    public async Task A_ruleset_of_the_template_is_evaluated_on_its_crawled_table()
    {
        var template = Path.Combine(_product.Path, "templates", "etl.yaml");
        File.WriteAllText(template, File.ReadAllText(template).Replace("Outputs:", """
              LakeTripRules:
                Type: AWS::Glue::DataQualityRuleset
                Properties:
                  Name: !Sub green-trips-${NameSuffix}
                  Ruleset: 'Rules = [ RowCount = 1070, ColumnValues "vendor_id" in [1, 2] ]'
                  TargetTable:
                    DatabaseName: !Ref DatalakeDatabase
                    TableName: green

            Outputs:
            """, StringComparison.Ordinal));

        var (result, _, _) = await Run();

        result.Passed.Should().BeTrue(string.Join("\n", result.Stages));
        result.Stages.Last().Should().Match<StageResult>(s => s.Name == "ruleset green-trips-livetest_t_000001" && s.Detail.StartsWith("2 of 2 rules passed", StringComparison.Ordinal));
    }
}

/// <summary>The LiveTest benchmark's machinery at a tiny scale (figures come from the Benchmark target).</summary>
public sealed class LiveTestBenchmarkTests : IDisposable
{
    private readonly Support.TempDirectory _work = new("livetest-bench");

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Measures_ours_and_the_raw_work_on_the_same_data()
    {
        var figures = await new LiveTestBenchmark(Support.RepositoryRoot.Path, _work.Path, 1, 0.001, _ => { }, liveTests: false).RunAsync(CancellationToken.None);

        figures.Rows.Should().Be(1070);
        figures.Ours.Should().BePositive();
        figures.Raw.Should().BePositive();
        LiveTestBenchmark.Format(figures, 1).Should().Contain("ratio ours/raw").And.Contain("1,070 taxi trips");
        Directory.Exists(Path.Combine(_work.Path, "stacks", "livetest-benchmark-0")).Should().BeFalse();
    }
}
