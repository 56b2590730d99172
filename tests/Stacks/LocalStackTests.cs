using GluePipeline.Catalog;
using GluePipeline.Diagnostics;
using GluePipeline.Stacks;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Stacks;

/// <summary>DeployLiveTest --lane=local: the template interpreted into a stack folder, and torn down.</summary>
public sealed class LocalStackTests : IDisposable
{
    private readonly ProductFolder _product = new();

    public void Dispose() => _product.Dispose();

    /// <summary>Deploys; templates other than ours use an environment without a file (parameters at their defaults).</summary>
    private Task<LocalDeployment> Deploy(string stack = "livetest-main-abc123", string template = "templates/etl.yaml") =>
        LocalStack.DeployAsync(new LocalDeployRequest(stack, _product.StateRoot, template, template == "templates/etl.yaml" ? "livetest" : "dev") { ArtifactDirectory = _product.Path, ArtifactDigest = "d1g3570000000000aaaa" }, CancellationToken.None);

    [Fact]
    public async Task Our_template_deploys_with_every_resource_emulated_or_checked()
    {
        var deployment = await Deploy();

        var manifest = deployment.Manifest;
        deployment.Warnings.Should().BeEmpty();
        manifest.Resources.Where(r => r.Emulation is Emulation.NotEmulated or Emulation.Skipped).Should().BeEmpty();
        manifest.Resources.Single(r => r.LogicalId == "GlueServiceRole").Emulation.Should().Be(Emulation.Checked);
        manifest.Outputs["RawDatabaseName"].Should().Be("nycitytaxi_livetest_main_abc123");
        manifest.Outputs["DatalakeDatabaseName"].Should().Be("nytaxiparquet_livetest_main_abc123");
        manifest.Outputs["RawBucketName"].Should().StartWith("livetest-main-abc123-rawbucket-");
        manifest.Buckets.Keys.Should().Contain(manifest.Outputs["RawBucketName"]);
        Directory.Exists(manifest.Buckets[manifest.Outputs["RawBucketName"]]).Should().BeTrue();
        manifest.Crawlers.Select(c => (c.Database, c.Targets.Count)).Should().Equal(("nycitytaxi_livetest_main_abc123", 5), ("nytaxiparquet_livetest_main_abc123", 5), ("cfs_livetest_main_abc123", 0));
        manifest.Jobs.Select(j => (j.Name, j.Spec, j.Runnable)).Should().Equal(("taxi_livetest_main_abc123", "jobs/taxi/job.yaml", true), ("quakes_livetest_main_abc123", "jobs/quakes/job.yaml", true), ("cfs_to_postgres_livetest_main_abc123", "jobs/cfs_to_postgres/job.yaml", true), ("cfs_to_parquet_livetest_main_abc123", "jobs/cfs_to_parquet/job.yaml", true), ("process_sales_livetest_main_abc123", "jobs/process_sales/job.yaml", true), ("process_marketing_livetest_main_abc123", "jobs/process_marketing/job.yaml", true), ("join_sales_marketing_livetest_main_abc123", "jobs/join_sales_marketing/job.yaml", true), ("events_to_postgres_livetest_main_abc123", "jobs/mysql_events/job.yaml", true), ("events_to_redshift_livetest_main_abc123", "jobs/mysql_events/job.yaml", true), ("redshift_query_log_livetest_main_abc123", "jobs/redshift_query_log/job.yaml", true));
        manifest.Connections.Should().Equal(
            new StackConnection("mysql_source_livetest_main_abc123", "SourceDbConnection", "mysql", "jdbc:mysql://source-db.internal:3306/glue_demo", "glue_demo", "Secrets Manager secret glue-demo/mysql-source"),
            new StackConnection("pg_target_livetest_main_abc123", "TargetDbConnection", "postgresql", "jdbc:postgresql://target-db.internal:5432/glue_demo", "glue_demo", "Secrets Manager secret glue-demo/postgres-target"),
            new StackConnection("onprem_postgres_livetest_main_abc123", "OnPremConnection", "postgresql", "jdbc:postgresql://onprem-db.corp.internal:5432/glue_demo", "glue_demo", "Secrets Manager secret glue-demo/onprem-postgres"),
            new StackConnection("redshift_warehouse_livetest_main_abc123", "WarehouseConnection", "redshift", "jdbc:redshift://warehouse.internal:5439/dmartblog", "dmartblog", "Secrets Manager secret glue-demo/redshift-warehouse") { Note = "Redshift is served by PostgreSQL locally (SQL that only Redshift knows fails here)" });
        manifest.Jobs.Single(j => j.LogicalId == "EventsToPostgresJob").Arguments["--source_connection"].Should().Be("mysql_source_livetest_main_abc123");
        manifest.Crawlers.Single(c => c.LogicalId == "OnPremCrawler").JdbcTargets.Should().Equal(new GluePipeline.Catalog.JdbcCrawlTarget("onprem_postgres_livetest_main_abc123", "glue_demo/public/cfs_full", []));
        manifest.Jobs[0].Arguments["--raw_bucket"].Should().Be(manifest.Outputs["RawBucketName"]);
        LocalGlueCatalog.Open(manifest.Catalog!).Databases.Keys.Should().BeEquivalentTo("nycitytaxi_livetest_main_abc123", "nytaxiparquet_livetest_main_abc123", "cfs_livetest_main_abc123");
        File.Exists(Path.Combine(LocalStack.StateDirectory(_product.StateRoot, manifest.Stack), "buckets", "pipeline-artifacts", "artifact", "d1g3570000000000", "jobs", "runtime", "glue_runtime.py"))
            .Should().BeTrue("the jobs run the artifact's bytes");
        RunManifest.Load(deployment.ManifestPath).Should().BeEquivalentTo(manifest);
    }

    [Fact]
    public async Task Teardown_removes_the_stack_and_a_second_teardown_finds_nothing()
    {
        var deployment = await Deploy();

        LocalStack.Teardown(_product.StateRoot, deployment.Manifest.Stack).Should().BeTrue();
        Directory.Exists(deployment.Manifest.StateDirectory).Should().BeFalse();
        LocalStack.Teardown(_product.StateRoot, deployment.Manifest.Stack).Should().BeFalse();
        LocalStack.Find(_product.StateRoot, deployment.Manifest.Stack).Should().BeNull();
    }

    [Fact]
    public async Task A_lambda_backed_custom_resource_is_reported_as_not_emulated_with_what_to_do()
    {
        _product.Write("templates/real.yaml", File.ReadAllText(Path.Combine(RepositoryRoot.Path, "tests", "Templates", "Corpus", "real-custom-resource.yaml")));

        var deployment = await Deploy(template: "templates/real.yaml");

        var manifest = deployment.Manifest;
        manifest.Resources.Single(r => r.LogicalId == "DataBucket").Emulation.Should().Be(Emulation.Emulated);
        manifest.Resources.Single(r => r.LogicalId == "CleanerFunction").Emulation.Should().Be(Emulation.NotEmulated);
        var custom = manifest.Resources.Single(r => r.LogicalId == "EmptyOnDelete");
        custom.Emulation.Should().Be(Emulation.NotEmulated);
        custom.Note.Should().Contain("EmptyOnDelete (Custom::EmptyBucket, backed by the Lambda function CleanerFunction) is a custom resource").And.Contain("Fix: if the jobs or tests rely on its effect or attributes, run this stage in the aws lane (--lane=aws)");
        deployment.Warnings.Select(w => w.ToString()).Should().Contain(w => w.StartsWith("templates/real.yaml:72:3: warning STACK-NOT-EMULATED: EmptyOnDelete", StringComparison.Ordinal));
        manifest.Outputs.Should().ContainKey("BucketName");
        manifest.Unavailable["Emptied"].Should().Be("it reads EmptyOnDelete.Emptied, which the local lane does not emulate");
        manifest.Resources.Single(r => r.LogicalId == "Logs").Emulation.Should().Be(Emulation.Recorded);
    }

    [Fact]
    public async Task A_hand_written_pyspark_job_is_skipped_with_the_reason_never_run()
    {
        var template = File.ReadAllText(Path.Combine(_product.Path, "templates", "etl.yaml"))
            .Replace("ScriptLocation: !Sub s3://${ArtifactBucket}/${ArtifactPrefix}/jobs/runtime/glue_runtime.py\n      DefaultArguments:\n        --job_spec: !Sub s3://${ArtifactBucket}/${ArtifactPrefix}/jobs/quakes/job.yaml",
                     "ScriptLocation: !Sub s3://${ArtifactBucket}/${ArtifactPrefix}/jobs/legacy/quakes.py\n      DefaultArguments:\n        --quakes_spec: !Sub s3://${ArtifactBucket}/${ArtifactPrefix}/jobs/quakes/job.yaml", StringComparison.Ordinal);
        _product.Write("templates/etl.yaml", template);
        _product.Write("jobs/legacy/quakes.py", "print('legacy')\n");

        var deployment = await Deploy();

        var job = deployment.Manifest.Jobs.Single(j => j.LogicalId == "QuakesJob");
        job.Runnable.Should().BeFalse();
        job.Note.Should().Be("needs Glue's Spark runtime: runs in the aws lane");
        deployment.Manifest.Resources.Single(r => r.LogicalId == "QuakesJob").Should().Match<StackResource>(r => r.Emulation == Emulation.Skipped && r.Note!.Contains("SKIPPED locally, never passed"));
    }

    [Fact]
    public async Task Glue_tables_triggers_and_rulesets_of_the_template_become_catalog_tables_run_order_and_rules()
    {
        _product.Write("templates/extra.yaml", """
            AWSTemplateFormatVersion: "2010-09-09"
            Parameters:
              NameSuffix: {Type: String}
            Resources:
              Db:
                Type: AWS::Glue::Database
                Properties:
                  CatalogId: !Ref AWS::AccountId
                  DatabaseInput: {Name: !Sub "sales_${NameSuffix}"}
              Orders:
                Type: AWS::Glue::Table
                Properties:
                  CatalogId: !Ref AWS::AccountId
                  DatabaseName: !Ref Db
                  TableInput:
                    Name: orders
                    Parameters: {classification: csv, skip.header.line.count: "1"}
                    PartitionKeys: [{Name: day, Type: string}]
                    StorageDescriptor:
                      Location: s3://sales-bucket/orders/
                      Columns: [{Name: id, Type: bigint}, {Name: amount, Type: double}]
                      SerdeInfo: {Parameters: {field.delim: "|"}}
              Rules:
                Type: AWS::Glue::DataQualityRuleset
                Properties:
                  Name: orders-rules
                  Ruleset: 'Rules = [ RowCount > 0 ]'
                  TargetTable: {DatabaseName: !Ref Db, TableName: !Ref Orders}
              Start:
                Type: AWS::Glue::Trigger
                Properties:
                  Name: after-crawl
                  Type: CONDITIONAL
                  Predicate: {Conditions: [{CrawlerName: raw-crawler, CrawlState: SUCCEEDED, LogicalOperator: EQUALS}]}
                  Actions: [{JobName: orders-job}]
            """);

        var deployment = await Deploy(template: "templates/extra.yaml");

        var table = LocalGlueCatalog.Open(deployment.Manifest.Catalog!).Table("sales_livetest_main_abc123", "orders")!;
        table.Csv.Delimiter.Should().Be("|");
        table.Csv.Header.Should().BeTrue();
        table.PartitionKeys.Select(k => k.Name).Should().Equal("day");
        deployment.Manifest.Rulesets.Should().ContainSingle().Which.Should().Be(new StackRuleset("orders-rules", "Rules", "sales_livetest_main_abc123", "orders", "Rules = [ RowCount > 0 ]"));
        deployment.Manifest.Triggers.Should().ContainSingle().Which.Should().BeEquivalentTo(new StackTrigger("after-crawl", ["crawler:raw-crawler"], ["job:orders-job"]));
    }

    [Fact]
    public async Task A_template_that_cannot_deploy_leaves_no_state_behind()
    {
        _product.Write("templates/broken.yaml", "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Missing\n");

        var act = () => Deploy(template: "templates/broken.yaml");

        (await act.Should().ThrowAsync<PipelineInputException>()).Which.Message.Should().Contain("templates/broken.yaml:6:");
        Directory.Exists(LocalStack.StateDirectory(_product.StateRoot, "livetest-main-abc123")).Should().BeFalse();
    }
}
