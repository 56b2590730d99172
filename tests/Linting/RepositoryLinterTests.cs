using GluePipeline.Build;
using GluePipeline.Build.Hosting;
using GluePipeline.Linting;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Linting;

/// <summary>Lint of a whole repository: templates, environment files against the main template, job files.</summary>
public sealed class RepositoryLinterTests : IDisposable
{
    private const string Template = """
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          Environment:
            Type: String
            AllowedValues: [livetest, prod]
          NameSuffix:
            Type: String
            AllowedPattern: "[a-z][a-z0-9_]*"
          Workers:
            Type: Number
            MinValue: 2
            Default: 2
        Mappings:
          Sizes:
            livetest: { Workers: 2 }
            prod: { Workers: 10 }
        Resources:
          Queue:
            Type: AWS::SQS::Queue
            Properties:
              QueueName: !Sub etl-${NameSuffix}
              DelaySeconds: !FindInMap [Sizes, !Ref Environment, Workers]
        """;

    private readonly TempDirectory _repo = new("lintrepo");

    public RepositoryLinterTests()
    {
        _repo.Write("cake.config", "[Package]\nName=x\n");
        _repo.Write("templates/etl.yaml", Template);
        _repo.Write("templates/environments/livetest.json", "{\n  \"Parameters\": {\n    \"Environment\": \"livetest\"\n  }\n}\n");
        MinimalJob.Write(_repo.Write);
    }

    public void Dispose() => _repo.Dispose();

    private Task<LintReport> Lint() => new RepositoryLinter().LintRepositoryAsync(_repo.Path, CancellationToken.None);

    [Fact]
    public async Task A_consistent_repository_lints_clean()
    {
        var report = await Lint();

        report.Findings.Should().BeEmpty();
        report.FilesChecked.Should().Be(3);
    }

    [Fact]
    public async Task An_environment_file_naming_an_unknown_parameter_is_an_error_at_its_line()
    {
        _repo.Write("templates/environments/prod.json", "{\n  \"Parameters\": {\n    \"Environment\": \"prod\",\n    \"Wrokers\": \"4\"\n  }\n}\n");

        var report = await Lint();

        report.Findings.Select(f => f.ToString()).Should().ContainSingle().Which.Should().Be(
            "templates/environments/prod.json:4:5: error CFN-ENV: 'Wrokers' is not a parameter of templates/etl.yaml. Fix: did you mean 'Workers'?");
        report.ExitCode.Should().Be(1);
    }

    [Fact]
    public async Task An_environment_value_that_breaks_a_constraint_is_an_error_at_its_line()
    {
        _repo.Write("templates/environments/prod.json", "{\n  \"Parameters\": {\n    \"Environment\": \"production\"\n  }\n}\n");

        var report = await Lint();

        report.Findings.Should().ContainSingle().Which.ToString().Should().StartWith(
            "templates/environments/prod.json:3:5: error CFN-PARAM-VALUE: The value of Environment breaks its constraints: 'production' is not one of the AllowedValues [livetest, prod]");
    }

    [Fact]
    public async Task A_required_parameter_without_a_value_is_an_error_on_the_environment_file()
    {
        _repo.Write("templates/environments/prod.json", "{\"Parameters\": {}}\n");

        var report = await Lint();

        report.Findings.Should().ContainSingle().Which.ToString().Should().Be(
            "templates/environments/prod.json:1:1: error CFN-ENV: Parameter Environment of templates/etl.yaml has no value here and no Default. Fix: add \"Environment\": \"...\" under Parameters in templates/environments/prod.json, export PIPELINE_PARAM_Environment=..., or give it a Default in the template.");
    }

    [Fact]
    public async Task A_run_parameter_is_filled_by_the_deployment_not_the_environment_file()
    {
        var report = await Lint();

        report.Findings.Should().NotContain(f => f.Message.Contains("NameSuffix"));
    }

    [Fact]
    public async Task The_template_is_evaluated_with_each_environment()
    {
        _repo.Write("templates/etl.yaml", Template.Replace("prod: { Workers: 10 }", "production: { Workers: 10 }", StringComparison.Ordinal));
        _repo.Write("templates/environments/prod.json", "{\"Parameters\": {\"Environment\": \"prod\"}}\n");

        var report = await Lint();

        var finding = report.Findings.Should().ContainSingle().Which;
        finding.Rule.Should().Be("CFN-FINDINMAP");
        finding.Location!.Value.Source.Should().Be("templates/etl.yaml");
        finding.Location.Value.Line.Should().Be(22);
        finding.Message.Should().Be("With templates/environments/prod.json: Map Sizes has no top-level key 'prod'");
    }

    [Fact]
    public async Task A_malformed_environment_file_is_unparseable()
    {
        _repo.Write("templates/environments/prod.json", "{\"Parameters\": {\"Environment\": prod}}\n");

        var report = await Lint();

        report.ExitCode.Should().Be(2);
        report.UnparseableFiles.Should().Contain("templates/environments/prod.json");
    }

    [Fact]
    public async Task An_environment_value_must_be_a_string()
    {
        _repo.Write("templates/environments/prod.json", "{\"Parameters\": {\"Environment\": \"prod\", \"Workers\": 4}}\n");

        var report = await Lint();

        report.Findings.Should().ContainSingle().Which.ToString().Should().Contain("CFN-ENV: Parameters.Workers must be a string").And.Contain("\"Workers\": \"4\"");
    }

    [Fact]
    public async Task A_rule_file_with_a_syntax_error_is_unparseable()
    {
        _repo.Write("jobs/taxi/rules.dqdl", "Rules = [\n  RowCount > 0,\n  IsComplete \"id\" where\n]\n");

        var report = await Lint();

        report.ExitCode.Should().Be(2);
        report.Findings.Should().ContainSingle().Which.ToString().Should().StartWith("jobs/taxi/rules.dqdl:4:1: error DQDL-SYNTAX: Expected a quoted SQL condition after where");
    }

    [Fact]
    public async Task A_rule_file_with_an_unknown_rule_is_an_error()
    {
        _repo.Write("jobs/taxi/rules.dqdl", "Rules = [ RowCount > 0, IsCompleet \"id\" ]\n");

        var report = await Lint();

        report.ExitCode.Should().Be(1);
        report.Findings.Should().ContainSingle().Which.ToString().Should().Contain("rules.dqdl:1:25: error DQDL-RULE: Unknown rule type 'IsCompleet'. Fix: did you mean IsComplete?");
    }

    [Fact]
    public async Task Short_forms_in_a_job_file_are_an_error()
    {
        _repo.Write("jobs/taxi/settings.yaml", "name: !Ref Taxi\n");

        var report = await Lint();

        report.Findings.Should().ContainSingle().Which.Rule.Should().Be("YAML-TAG");
    }

    public sealed class PackageReferences : IDisposable
    {
        private const string JobTemplate = """
            Parameters:
              Environment:
                Type: String
              ArtifactBucket:
                Type: String
              ArtifactPrefix:
                Type: String
            Resources:
              GlueRole:
                Type: AWS::IAM::Role
                Properties:
                  AssumeRolePolicyDocument:
                    Statement:
                      - Effect: Allow
                        Principal: { Service: glue.amazonaws.com }
                        Action: sts:AssumeRole
              TaxiJob:
                Type: AWS::Glue::Job
                Properties:
                  Role: !GetAtt GlueRole.Arn
                  GlueVersion: "4.0"
                  WorkerType: G.1X
                  NumberOfWorkers: 2
                  Timeout: 60
                  Command:
                    Name: glueetl
                    ScriptLocation: SCRIPT
                  DefaultArguments:
                    --job_spec: !Sub s3://${ArtifactBucket}/${ArtifactPrefix}/jobs/taxi/job.yaml
                    --TempDir: s3://somewhere/tmp/
            """;

        private readonly TempDirectory _repo = new("pkgrepo");

        public PackageReferences()
        {
            _repo.Write("cake.config", string.Empty);
            _repo.Write("templates/environments/livetest.json", "{\"Parameters\": {\"Environment\": \"livetest\"}}\n");
            MinimalJob.Write(_repo.Write);
            _repo.Write("jobs/runtime/glue_runtime.py", "print('x')\n");
        }

        public void Dispose() => _repo.Dispose();

        private async Task<LintReport> Lint(string script)
        {
            _repo.Write("templates/etl.yaml", JobTemplate.Replace("SCRIPT", script, StringComparison.Ordinal));
            return await new RepositoryLinter().LintRepositoryAsync(_repo.Path, CancellationToken.None);
        }

        [Fact]
        public async Task A_job_that_runs_a_script_of_the_artifact_is_clean()
        {
            var report = await Lint("!Sub s3://${ArtifactBucket}/${ArtifactPrefix}/jobs/runtime/glue_runtime.py");

            report.Findings.Should().BeEmpty();
        }

        [Fact]
        public async Task A_script_the_artifact_does_not_hold_is_an_error_at_the_ScriptLocation()
        {
            var report = await Lint("!Sub s3://${ArtifactBucket}/${ArtifactPrefix}/jobs/runtime/glue_runtim.py");

            report.Findings.Should().ContainSingle().Which.ToString().Should().StartWith(
                "templates/etl.yaml:27:25: error PKG-SCRIPT: Job TaxiJob runs jobs/runtime/glue_runtim.py, which the artifact does not hold");
        }

        [Fact]
        public async Task A_script_outside_the_artifact_is_an_error()
        {
            var report = await Lint("s3://team-scripts/taxi.py");

            report.Findings.Should().ContainSingle().Which.ToString().Should().Contain("error PKG-SCRIPT: Job TaxiJob runs s3://team-scripts/taxi.py, which is not in the published artifact");
        }

        [Fact]
        public async Task An_argument_pointing_at_a_missing_spec_is_an_error_at_the_argument()
        {
            File.Delete(Path.Combine(_repo.Path, "jobs", "taxi", "job.yaml"));

            var report = await Lint("!Sub s3://${ArtifactBucket}/${ArtifactPrefix}/jobs/runtime/glue_runtime.py");

            report.Findings.Should().ContainSingle().Which.ToString().Should().StartWith(
                "templates/etl.yaml:29:21: error PKG-FILE: Job TaxiJob argument --job_spec points at jobs/taxi/job.yaml, which the artifact does not hold");
        }

        [Fact]
        public async Task Foreign_templates_are_not_held_to_our_package()
        {
            _repo.Write("templates/etl.yaml", JobTemplate.Replace("SCRIPT", "s3://team-scripts/taxi.py", StringComparison.Ordinal));

            var report = await new RepositoryLinter().LintTemplatesAsync([("etl.yaml", Path.Combine(_repo.Path, "templates", "etl.yaml"))], CancellationToken.None);

            report.Findings.Should().NotContain(f => f.Rule.StartsWith("PKG-", StringComparison.Ordinal));
        }
    }

    public sealed class OurRepository
    {
        [Fact]
        public async Task Our_own_templates_and_environments_lint_clean_under_strict()
        {
            var report = await new RepositoryLinter(new LintOptions(Strict: true)).LintRepositoryAsync(RepositoryRoot.Path, CancellationToken.None);

            report.Findings.Should().BeEmpty(string.Join('\n', report.Findings));
            report.FilesChecked.Should().BeGreaterThanOrEqualTo(4);
        }
    }

    /// <summary>The files of the pipeline stack: its parameters file and CodeBuild's buildspec, in a repository holding pipeline.yaml.</summary>
    public sealed class PipelineFiles : IDisposable
    {
        private readonly TempDirectory _dir = new("pipeline-files");

        public void Dispose() => _dir.Dispose();

        private async Task<LintReport> LintWithAsync(string path, string content)
        {
            _dir.Write("cake.config", string.Empty);
            _dir.Write("templates/pipeline.yaml", File.ReadAllText(Path.Combine(RepositoryRoot.Path, "templates/pipeline.yaml")));
            _dir.Write(path, content);
            return await new RepositoryLinter(new LintOptions()).LintRepositoryAsync(_dir.Path, CancellationToken.None);
        }

        [Fact]
        public async Task The_pipeline_stacks_parameters_file_is_checked_against_the_pipeline_template_not_the_etl_one()
        {
            var report = await LintWithAsync("templates/environments/pipeline.json", "{\n  \"Parameters\": {\n    \"RepositoryId\": \"acme/glue-etl\",\n    \"BranchName\": \"main\",\n    \"GitProvidr\": \"GitHub\"\n  }\n}\n");

            var finding = report.Findings.Should().ContainSingle(string.Join('\n', report.Findings)).Subject;
            (finding.Location!.Value.Source, finding.Location.Value.Line).Should().Be(("templates/environments/pipeline.json", 5));
            finding.Message.Should().Contain("GitProvidr").And.Contain("templates/pipeline.yaml");
            finding.Fix.Should().Contain("GitProvider");
        }

        [Fact]
        public async Task A_buildspec_command_YAML_reads_as_a_mapping_is_an_error_at_its_line_with_the_fix()
        {
            var report = await LintWithAsync("buildspec.yml", "version: 0.2\nphases:\n  build:\n    commands:\n      - dotnet run --project build\n    finally:\n      - echo \"digest: $ArtifactDigest\"\n");

            report.Findings.Should().ContainSingle(string.Join('\n', report.Findings)).Which.ToString().Should()
                .StartWith("buildspec.yml:7:9: error BUILDSPEC: A command of phase build (finally) is not a string").And.Contain("quote the whole command");
        }
    }

    public sealed class ForeignTemplates : IDisposable
    {
        private readonly TempDirectory _dir = new("foreign");

        public void Dispose() => _dir.Dispose();

        [Fact]
        public async Task Templates_given_by_glob_are_linted_without_our_environment_checks()
        {
            _dir.Write("cake.config", string.Empty);
            _dir.Write("stacks/a.yaml", "Parameters:\n  Env:\n    Type: String\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref Env\n");
            _dir.Write("stacks/nested/b.json", "{\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\", \"Properties\": {\"DisplayName\": {\"Ref\": \"Missing\"}}}}}");

            var result = await HostRun.RunAsync(PipelineHost.Create(), _dir.Path, ["--target=Lint", $"--templates={Path.Combine(_dir.Path, "stacks")}/**/*.*"]);

            result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
            result.Error.Should().Contain("b.json:1:87: error CFN-REF: Ref to 'Missing'");
            result.Output.Should().Contain("Lint: 2 file(s) checked, 1 error(s)");
        }

        [Fact]
        public async Task A_glob_that_matches_nothing_is_a_clear_error()
        {
            var result = await HostRun.RunAsync(PipelineHost.Create(), _dir.Path, ["--target=Lint", "--templates=/no/such/*.yaml"]);

            result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
            result.Error.Should().Contain("error ARG-TEMPLATES: No template matches '/no/such/*.yaml'");
        }
    }
}
