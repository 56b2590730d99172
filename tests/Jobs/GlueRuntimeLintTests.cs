using GluePipeline.Linting;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Jobs;

/// <summary>Lint holds the template's Glue jobs to what the specs they run need.</summary>
public sealed class GlueRuntimeLintTests : IDisposable
{
    private readonly GitFixture _repo = new("runtime-lint");

    public GlueRuntimeLintTests()
    {
        _repo.Write("cake.config", "[Package]\nName=etl\n");
        GluePipeline.Repository.ProductFiles.CopyTree(RepositoryRoot.Path, _repo.Path);
        _repo.Commit("product");
    }

    public void Dispose() => _repo.Dispose();

    private async Task<string[]> Lint(string? from = null, string? to = null)
    {
        if (from is not null)
        {
            var template = Path.Combine(_repo.Path, "templates", "etl.yaml");
            var text = File.ReadAllText(template);
            text.Should().Contain(from);
            File.WriteAllText(template, text.Replace(from, to, StringComparison.Ordinal));
            _repo.Commit("change");
        }

        var report = await new RepositoryLinter().LintRepositoryAsync(_repo.Path, CancellationToken.None);
        return report.Findings.Select(f => f.ToString()).ToArray();
    }

    [Fact]
    public async Task Our_template_and_jobs_agree()
    {
        (await Lint()).Should().BeEmpty();
    }

    [Fact]
    public async Task An_argument_the_spec_does_not_declare_is_a_typo()
    {
        var findings = await Lint("        --raw_bucket: !Ref RawBucket\n        --datalake_bucket: !Ref DatalakeBucket\n        --job-bookmark-option: job-bookmark-enable\n        --enable-metrics: \"true\"\n        --enable-continuous-cloudwatch-log: \"true\"\n      Tags:\n        environment: !Ref Environment\n\n  QuakesJob:",
            "        --raw_buckt: !Ref RawBucket\n        --datalake_bucket: !Ref DatalakeBucket\n        --job-bookmark-option: job-bookmark-enable\n        --enable-metrics: \"true\"\n        --enable-continuous-cloudwatch-log: \"true\"\n      Tags:\n        environment: !Ref Environment\n\n  QuakesJob:");

        findings.Should().ContainSingle(f => f.Contains("error GLUE-RUNTIME: Job TaxiJob passes --raw_buckt, which jobs/taxi/job.yaml does not declare. Fix: did you mean --raw_bucket?", StringComparison.Ordinal), string.Join("\n", findings));
    }

    [Fact]
    public async Task A_file_bookmark_needs_glues_job_bookmarks()
    {
        var findings = await Lint("--job_spec: !Sub s3://${ArtifactBucket}/${ArtifactPrefix}/jobs/quakes/job.yaml\n        --raw_bucket: !Ref RawBucket\n        --datalake_bucket: !Ref DatalakeBucket\n        --job-bookmark-option: job-bookmark-enable",
            "--job_spec: !Sub s3://${ArtifactBucket}/${ArtifactPrefix}/jobs/quakes/job.yaml\n        --raw_bucket: !Ref RawBucket\n        --datalake_bucket: !Ref DatalakeBucket\n        --job-bookmark-option: job-bookmark-disable");

        findings.Should().ContainSingle(f => f.Contains("Job QuakesJob runs jobs/quakes/job.yaml, whose file bookmark needs Glue's job bookmarks. Fix: set --job-bookmark-option: job-bookmark-enable", StringComparison.Ordinal), string.Join("\n", findings));
    }

    [Fact]
    public async Task A_JDBC_job_must_list_the_connections_it_goes_through()
    {
        var findings = await Lint("          - !Ref SourceDbConnection\n          - !Ref TargetDbConnection\n", "          - !Ref TargetDbConnection\n");

        findings.Should().ContainSingle(f => f.Contains("templates/etl.yaml:", StringComparison.Ordinal) && f.Contains("error GLUE-RUNTIME: Job EventsToPostgresJob runs jobs/mysql_events/job.yaml, which goes through connection SourceDbConnection, but the job does not list it in Connections: on Glue it cannot reach the database. Fix: add Connections: {Connections: [!Ref SourceDbConnection]}", StringComparison.Ordinal), string.Join("\n", findings));
    }

    [Fact]
    public async Task Glues_job_bookmarks_on_a_JDBC_source_are_a_warning()
    {
        var findings = await Lint("        --job-bookmark-option: job-bookmark-disable\n", "        --job-bookmark-option: job-bookmark-enable\n");

        findings.Should().ContainSingle(f => f.Contains("warning GLUE-RUNTIME: Job EventsToPostgresJob runs jobs/mysql_events/job.yaml with Glue's job bookmarks on", StringComparison.Ordinal), string.Join("\n", findings));
    }

    [Fact]
    public async Task A_runtime_job_without_its_spec_is_an_error()
    {
        var findings = await Lint("        --job_spec: !Sub s3://${ArtifactBucket}/${ArtifactPrefix}/jobs/taxi/job.yaml\n", string.Empty);

        findings.Should().Contain(f => f.Contains("Job TaxiJob runs the declarative runtime but has no --job_spec", StringComparison.Ordinal), string.Join("\n", findings));
    }

    [Fact]
    public async Task A_required_argument_must_be_passed()
    {
        var spec = Path.Combine(_repo.Path, "jobs", "taxi", "job.yaml");
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("  raw_bucket: glue-etl-raw", "  raw_bucket: glue-etl-raw\n  day: ~", StringComparison.Ordinal));
        _repo.Commit("day");

        var findings = await Lint();

        findings.Should().ContainSingle().Which.Should().Contain("Job TaxiJob runs jobs/taxi/job.yaml, which needs --day (it has no default)");
    }
}
