using GluePipeline.Build;
using GluePipeline.Build.Hosting;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Jobs;

/// <summary>RunJob, NewJob and Lint on job specs, driven in-process as a user runs them, in a throw-away repository.</summary>
public sealed class JobTargetsTests : IDisposable
{
    private readonly GitFixture _repo = new("jobs-repo");

    public JobTargetsTests()
    {
        _repo.Write("cake.config", "[Package]\nName=etl\n");
        _repo.Write(".gitignore", "artifacts/\n");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "jobs", "taxi"), "*", SearchOption.AllDirectories))
        {
            _repo.Write(Path.Combine("jobs", "taxi", Path.GetRelativePath(Path.Combine(RepositoryRoot.Path, "jobs", "taxi"), file)), File.ReadAllText(file));
        }

        _repo.Commit("taxi");
    }

    public void Dispose() => _repo.Dispose();

    private Task<HostRunResult> Run(params string[] args) => HostRun.RunAsync(PipelineHost.Create(), _repo.Path, args);

    [Fact]
    public async Task RunJob_prints_rows_in_and_out_a_sample_and_the_rules()
    {
        var result = await Run("--target=RunJob", "--job=taxi", "--scale=0.001");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("fixture  trips           1,070 rows in 3 file(s)")
            .And.Contain("read     trips           1,070 rows from 3 file(s)")
            .And.Contain("wrote                    1,070 rows in 3 file(s) to s3://glue-etl-datalake/nyc-taxi/green/")
            .And.Contain("First 10 row(s) of the output:")
            .And.Contain("vendor_id  pickup_at")
            .And.Contain("13 of 13 passed");
        File.Exists(Path.Combine(_repo.Path, "artifacts", "runjob", "taxi", "buckets", "glue-etl-datalake", "nyc-taxi", "green", "year=2016", "month=1", "x")).Should().BeFalse();
        Directory.EnumerateFiles(Path.Combine(_repo.Path, "artifacts", "runjob", "taxi", "buckets", "glue-etl-datalake"), "*.parquet", SearchOption.AllDirectories).Should().HaveCount(3);
    }

    [Fact]
    public async Task RunJob_passes_arguments_and_refuses_unknown_ones()
    {
        var moved = await Run("--target=RunJob", "--job=taxi", "--scale=0.001", "--arg=datalake_bucket=other-lake");
        var typo = await Run("--target=RunJob", "--job=taxi", "--scale=0.001", "--arg=datalake_buckt=other-lake");

        moved.ExitCode.Should().Be(0, moved.ToString());
        moved.Output.Should().Contain("s3://other-lake/nyc-taxi/green/");
        typo.ExitCode.Should().Be(ExitCodes.UsageOrInput, typo.ToString());
        typo.Error.Should().Contain("--arg: error JOB-ARG: Job taxi has no argument 'datalake_buckt'. Fix: did you mean datalake_bucket?");
    }

    [Fact]
    public async Task RunJob_on_a_job_that_does_not_exist_suggests_the_closest()
    {
        var result = await Run("--target=RunJob", "--job=taxy");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.Error.Should().Contain("--job=taxy: error JOB-NAME: There is no job 'taxy' in jobs/. Fix: did you mean taxi?");
    }

    [Fact]
    public async Task RunJob_with_a_sql_mistake_exits_2_pointing_at_the_line()
    {
        var sql = Path.Combine(_repo.Path, "jobs", "taxi", "transform.sql");
        File.WriteAllText(sql, File.ReadAllText(sql).Replace("CAST(Fare_amount AS DOUBLE)", "CAST(Fare_amont AS DOUBLE)", StringComparison.Ordinal));

        var result = await Run("--target=RunJob", "--job=taxi", "--scale=0.001");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        result.Error.Should().Contain("jobs/taxi/transform.sql:16:8: error JOB-SQL: Binder Error: Referenced column \"Fare_amont\" not found").And.NotContain("   at ");
    }

    [Fact]
    public async Task RunJob_fails_with_exit_1_when_the_rules_fail_on_the_output()
    {
        File.AppendAllText(Path.Combine(_repo.Path, "jobs", "taxi", "rules.dqdl"), "\n");
        var rules = Path.Combine(_repo.Path, "jobs", "taxi", "rules.dqdl");
        File.WriteAllText(rules, File.ReadAllText(rules).Replace("ColumnValues \"year\" = 2016", "ColumnValues \"year\" = 2017", StringComparison.Ordinal));

        var result = await Run("--target=RunJob", "--job=taxi", "--scale=0.001");

        result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
        result.Output.Should().Contain("FAILED  ColumnValues \"year\" = 2017");
        result.Error.Should().Contain("1 of its 13 rules did not pass");
    }

    [Fact]
    public async Task NewJob_scaffolds_a_job_that_runs_and_lints_clean()
    {
        var created = await Run("--target=NewJob", "--job=orders");
        _repo.Commit("orders");
        var run = await Run("--target=RunJob", "--job=orders");
        var lint = await Run("--target=Lint");
        var again = await Run("--target=NewJob", "--job=orders");
        var badName = await Run("--target=NewJob", "--job=Orders!");

        created.ExitCode.Should().Be(0, created.ToString());
        created.Output.Should().Contain("created jobs/orders/job.yaml").And.Contain("created jobs/orders/fixtures/orders.sql");
        run.ExitCode.Should().Be(0, run.ToString());
        run.Output.Should().Contain("100 rows").And.Contain("4 of 4 passed");
        lint.ExitCode.Should().Be(0, lint.ToString());
        lint.Output.Should().Contain("0 error(s)");
        again.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        again.Error.Should().Contain("jobs/orders already exists");
        badName.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        badName.Error.Should().Contain("'Orders!' cannot name a job");
    }

    [Fact]
    public async Task Lint_reports_a_broken_job_spec_with_file_line_col()
    {
        var spec = Path.Combine(_repo.Path, "jobs", "taxi", "job.yaml");
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("mode: append", "mode: apend", StringComparison.Ordinal));
        _repo.Commit("typo");

        var result = await Run("--target=Lint");

        result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
        (result.Output + result.Error).Should().Contain("jobs/taxi/job.yaml:29:9: error JOB-SPEC: 'apend' is not a write mode. Fix: did you mean append?");
    }
}
