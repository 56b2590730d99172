using System.Xml.Linq;
using GluePipeline.Data.Jdbc;
using GluePipeline.Data.Servers;
using GluePipeline.Stacks;
using DatabaseServersForTests = GluePipeline.Tests.Support.DatabaseServers;

namespace GluePipeline.Tests.Stacks;

/// <summary>AutomatedLiveTest on a local stack, without livetests/ (the target tests run those).</summary>
public sealed class LocalLiveTestTests : IAsyncLifetime
{
    private readonly ProductFolder _product = new();
    private DatabaseServers? _servers;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_servers is not null)
        {
            await StackDatabases.ReleaseAsync(LocalStack.StateDirectory(_product.StateRoot, "livetest-t-000001"), _servers, _ => { }, CancellationToken.None);
            await _servers.DisposeAsync();
        }

        _product.Dispose();
    }

    /// <summary>Deploys our template and runs its live test; its connections are served by the CI servers (PIPELINE_*_URL) when <paramref name="databases"/>.</summary>
    private async Task<(LiveTestResult Result, RunManifest Manifest, string Reports)> Run(double scale = 0.001, bool databases = true)
    {
        var deployment = await LocalStack.DeployAsync(new LocalDeployRequest("livetest-t-000001", _product.StateRoot) { ArtifactDirectory = _product.Path }, CancellationToken.None);
        var served = new ServedConnections(new Dictionary<string, JdbcEndpoint>(), new Dictionary<string, string>());
        if (databases)
        {
            _ = DatabaseServersForTests.Postgres;
            _servers ??= await DatabaseServers.StartAsync(new DatabaseServerOptions(Path.Combine(_product.StateRoot, "servers")) { Choice = DatabaseProviderChoice.Urls }, _ => { }, CancellationToken.None);
            served = await StackDatabases.ProvisionAsync(deployment.Manifest, deployment.ManifestPath, _servers, _ => { }, CancellationToken.None);
        }

        var reports = Path.Combine(_product.StateRoot, "reports");
        var options = new LiveTestOptions(_product.Path, reports) { Scale = scale, RunLiveTests = false, Connections = served.Endpoints, UnservedConnections = served.Unserved };
        var result = await LiveTestRun.RunAsync(RunManifest.Load(deployment.ManifestPath), deployment.ManifestPath, options, _ => { }, CancellationToken.None);
        return (result, deployment.Manifest, reports);
    }

    [SkippableFact]
    public async Task Fixtures_crawlers_jobs_and_rules_run_in_data_flow_order_and_pass()
    {
        var (result, manifest, reports) = await Run();

        result.Passed.Should().BeTrue(string.Join("\n", result.Stages));
        result.Stages.Select(s => s.Kind + ":" + s.Name.Split(' ')[^1]).Should().Equal(
            "fixtures:taxi_livetest_t_000001", "fixtures:quakes_livetest_t_000001", "fixtures:cfs_to_postgres_livetest_t_000001", "fixtures:process_sales_livetest_t_000001", "fixtures:process_marketing_livetest_t_000001", "fixtures:join_sales_marketing_livetest_t_000001",
            "fixtures:events_to_postgres_livetest_t_000001", "fixtures:events_to_redshift_livetest_t_000001", "fixtures:redshift_query_log_livetest_t_000001",
            $"crawler:{manifest.Crawlers[0].Name}", "job:taxi_livetest_t_000001", "job:quakes_livetest_t_000001", "job:cfs_to_postgres_livetest_t_000001", $"crawler:{manifest.Crawlers[2].Name}", "job:cfs_to_parquet_livetest_t_000001",
            "job:process_sales_livetest_t_000001", "job:process_marketing_livetest_t_000001", "job:join_sales_marketing_livetest_t_000001",
            "job:events_to_postgres_livetest_t_000001", "job:events_to_redshift_livetest_t_000001", "job:redshift_query_log_livetest_t_000001", $"crawler:{manifest.Crawlers[1].Name}",
            "rules:taxi_livetest_t_000001", "rules:quakes_livetest_t_000001", "rules:cfs_to_postgres_livetest_t_000001", "rules:cfs_to_parquet_livetest_t_000001",
            "rules:process_sales_livetest_t_000001", "rules:process_marketing_livetest_t_000001", "rules:join_sales_marketing_livetest_t_000001",
            "rules:events_to_postgres_livetest_t_000001", "rules:events_to_redshift_livetest_t_000001", "rules:redshift_query_log_livetest_t_000001");
        var stage = result.Stages.Where(s => s.Kind is "job" or "crawler").ToDictionary(s => s.Name.Split(' ')[^1]);
        stage["taxi_livetest_t_000001"].Detail.Should().Contain("read trips 1,070; wrote 1,070 rows");
        stage["cfs_to_postgres_livetest_t_000001"].Detail.Should().Be("read shipments 6; wrote 6 rows to jdbc:onprem_postgres_livetest_t_000001/public.cfs_full (binary COPY)");
        stage[manifest.Crawlers[2].Name].Detail.Should().Be("cfs_livetest_t_000001.onprem_postgres_glue_demo_public_cfs_full: created");
        stage["cfs_to_parquet_livetest_t_000001"].Detail.Should().StartWith("read cfs 6; wrote 6 rows in");
        stage["events_to_postgres_livetest_t_000001"].Detail.Should().Be("read events 20; wrote 20 rows to jdbc:pg_target_livetest_t_000001/public.events (binary COPY)");
        stage["events_to_redshift_livetest_t_000001"].Detail.Should().Be("read events 20; wrote 20 rows to jdbc:redshift_warehouse_livetest_t_000001/public.mysqldb_events (binary COPY)");
        stage["redshift_query_log_livetest_t_000001"].Detail.Should().StartWith("read queries 5; wrote 5 rows in 1 file(s) to s3://");
        result.Rules.Should().HaveCount(10).And.OnlyContain(r => r.AllPassed);
        XDocument.Load(Path.Combine(reports, "livetest.junit.xml")).Descendants("testcase").Should().HaveCount(32);
        XDocument.Load(Path.Combine(reports, "rules.junit.xml")).Descendants("testcase").Should().HaveCount(66);
        File.ReadAllText(Path.Combine(reports, "livetest.html")).Should().Contain("PASSED").And.Contain("job taxi_livetest_t_000001");
    }

    [SkippableFact]
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
    public async Task Without_a_database_a_JDBC_job_is_skipped_with_the_reason_and_its_rules_are_not_run()
    {
        var (result, _, reports) = await Run(databases: false);

        result.Passed.Should().BeTrue("a skip is not a failure (outside CI)");
        var job = result.Stages.Single(s => s.Name == "job events_to_postgres_livetest_t_000001");
        job.Outcome.Should().Be(StageOutcome.Skipped);
        job.Detail.Should().Be("needs database connections mysql_source_livetest_t_000001, pg_target_livetest_t_000001: no database serves it in this run");
        result.Stages.Single(s => s.Name == "job events_to_redshift_livetest_t_000001").Outcome.Should().Be(StageOutcome.Skipped);
        result.Stages.Single(s => s.Name.StartsWith("crawler livetest-t-000001-OnPremCrawler", StringComparison.Ordinal)).Should().Match<StageResult>(s => s.Outcome == StageOutcome.Skipped && s.Detail.Contains("not crawled", StringComparison.Ordinal));
        result.Stages.Single(s => s.Name == "job cfs_to_parquet_livetest_t_000001").Should().Match<StageResult>(s => s.Outcome == StageOutcome.Skipped && s.Detail.EndsWith("was SKIPPED before it", StringComparison.Ordinal));
        result.Stages.Single(s => s.Name == "rules of cfs_to_parquet_livetest_t_000001").Detail.Should().Be("not run: job cfs_to_parquet_livetest_t_000001 was SKIPPED");
        result.Stages.Should().NotContain(s => s.Name.Contains("events_to_postgres", StringComparison.Ordinal) && s.Outcome == StageOutcome.Passed);
        File.ReadAllText(Path.Combine(reports, "livetest.html")).Should().Contain("needs database connections");
    }

    [Fact]
    public async Task Under_CI_a_JDBC_job_without_a_database_fails_the_run()
    {
        var deployment = await LocalStack.DeployAsync(new LocalDeployRequest("livetest-t-000001", _product.StateRoot) { ArtifactDirectory = _product.Path }, CancellationToken.None);
        var options = new LiveTestOptions(_product.Path, Path.Combine(_product.StateRoot, "reports"))
        {
            Scale = 0.001,
            RunLiveTests = false,
            RequireDatabases = true,
            UnservedConnections = new Dictionary<string, string> { ["mysql_source_livetest_t_000001"] = "no MySQL server: PIPELINE_MYSQL_URL is not set" },
        };

        var result = await LiveTestRun.RunAsync(deployment.Manifest, deployment.ManifestPath, options, _ => { }, CancellationToken.None);

        result.Passed.Should().BeFalse();
        result.Stages.Single(s => s.Name == "job events_to_postgres_livetest_t_000001").Should().Match<StageResult>(s =>
            s.Outcome == StageOutcome.Failed && s.Detail.Contains("no MySQL server: PIPELINE_MYSQL_URL is not set", StringComparison.Ordinal) && s.Detail.Contains("CI=true", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task A_rule_the_output_breaks_fails_the_run()
    {
        var rules = Path.Combine(_product.Path, "jobs", "quakes", "rules.dqdl");
        File.WriteAllText(rules, File.ReadAllText(rules).Replace("RowCount > 0", "RowCount > 1000", StringComparison.Ordinal));

        var (result, _, _) = await Run();

        result.Passed.Should().BeFalse();
        result.Stages.Single(s => s.Name == "rules of quakes_livetest_t_000001").Detail.Should().Contain("8 of 9 rules passed").And.Contain("FAILED RowCount > 1000");
    }

    [SkippableFact]
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

    [SkippableFact]
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
