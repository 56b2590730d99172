using System.Text.Json;
using GluePipeline.Build;
using GluePipeline.Build.Hosting;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Build;

/// <summary>The product's real task graph and switches, driven in-process as a user would drive them.</summary>
public sealed class PipelineHostTests : IDisposable
{
    private static readonly string[] AllTargets =
    [
        "Lint", "UnitTests", "Package", "DeployLiveTest", "AutomatedLiveTest", "AwaitApproval",
        "TeardownLiveTest", "PromoteToProduction", "Default", "PullRequest", "Sweep",
    ];

    private readonly TempDirectory _repo = new("repo");

    public PipelineHostTests()
    {
        _repo.Write("cake.config", "[Settings]\n");
        _repo.Write("templates/etl.yaml", "AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  Environment:\n    Type: String\n    AllowedValues: [livetest, prod]\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n");
        _repo.Write("templates/environments/livetest.json", "{\"Parameters\": {\"Environment\": \"livetest\"}}\n");
        MinimalJob.Write(_repo.Write);
    }

    public void Dispose() => _repo.Dispose();

    private Task<HostRunResult> Run(params string[] args) => HostRun.RunAsync(PipelineHost.Create(), _repo.Path, args);

    [Fact]
    public async Task Description_lists_every_target_of_the_architecture_with_its_description()
    {
        var result = await Run("--description");

        result.ExitCode.Should().Be(0, result.ToString());
        foreach (var target in AllTargets)
        {
            result.Output.Should().MatchRegex($@"(?m)^\s*{target}\s+\S", $"{target} is a target of ARCHITECTURE.md's table");
        }
    }

    [Fact]
    public async Task Tree_shows_Default_at_the_top_with_the_release_path_under_it()
    {
        var result = await Run("--tree");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.TrimStart().Should().StartWith("Default");
        result.Output.Should().Contain("├─Package\n│ └─Lint");
        result.Output.Should().Contain("└─PromoteToProduction\n   └─AwaitApproval");
    }

    [Fact]
    public async Task A_dry_run_of_Default_prints_the_release_path_in_order_and_runs_nothing()
    {
        var result = await Run("--dryrun", "--target=Default");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().MatchRegex(
            @"1\. Lint\s+2\. UnitTests\s+3\. Package\s+4\. DeployLiveTest\s+5\. AutomatedLiveTest\s+6\. AwaitApproval\s+" +
            @"7\. TeardownLiveTest\s+8\. PromoteToProduction\s+9\. Default");
        Directory.Exists(Path.Combine(_repo.Path, "artifacts")).Should().BeFalse("a dry run does nothing");
    }

    [Fact]
    public async Task A_dry_run_of_PullRequest_never_reaches_promotion()
    {
        var result = await Run("--dryrun", "--target=PullRequest");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().MatchRegex(@"1\. Lint\s+2\. UnitTests\s+3\. Package\s+4\. DeployLiveTest\s+5\. AutomatedLiveTest\s+6\. TeardownLiveTest\s+7\. PullRequest");
        result.Output.Should().NotContain("PromoteToProduction").And.NotContain("AwaitApproval");
    }

    [Theory]
    [InlineData("--lane=gcp", "--lane=gcp: error ARG-LANE: Unknown lane 'gcp'. Fix: use --lane=local (the default) or --lane=aws.")]
    [InlineData("--version=1.2", "--version=1.2: error ARG-VERSION: '1.2' is not a semantic version")]
    [InlineData("--version=v1.2.3", "is not a semantic version")]
    [InlineData("--configuration=Fast", "error ARG-CONFIGURATION")]
    [InlineData("--format=xml", "error ARG-FORMAT")]
    [InlineData("--lnae=aws", "did you mean --lane?")]
    public async Task Bad_arguments_give_one_clear_error_and_exit_2_before_anything_runs(string argument, string expected)
    {
        var result = await Run("--target=Lint", argument);

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        result.Error.Should().Contain(expected);
        result.Error.Should().NotContain("   at ");
        result.Output.Should().NotContain("Lint: ", "Lint never ran");
    }

    [Fact]
    public async Task An_unknown_target_lists_every_target()
    {
        var result = await Run("--target=Deploy");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.Error.Should().Contain("Unknown target 'Deploy'");
        foreach (var target in AllTargets)
        {
            result.Error.Should().Contain(target);
        }
    }

    [Theory]
    [InlineData("1.4.0")]
    [InlineData("1.4.0-rc.1")]
    [InlineData("2.0.0+build.7")]
    public async Task A_semantic_version_is_accepted(string version)
    {
        var result = await Run("--target=Lint", $"--version={version}");

        result.ExitCode.Should().Be(0, result.ToString());
    }

    [Fact]
    public async Task Lint_passes_a_well_formed_repository()
    {
        var result = await Run("--target=Lint");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("Lint: 3 file(s) checked, 0 error(s)");
    }

    [Fact]
    public async Task Lint_reports_an_unparseable_template_with_file_line_col_and_exits_2()
    {
        _repo.Write("templates/broken.yaml", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n   Properties: {}\n");

        var result = await Run("--target=Lint");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        result.Error.Should().MatchRegex(@"templates/broken\.yaml:4:\d+: error YAML-SYNTAX: Invalid YAML: .+\. Fix: ");
        result.Output.Should().MatchRegex(@"Lint\s+00:00:\S+\s+Failed");
    }

    [Fact]
    public async Task Package_depends_on_Lint_so_a_broken_job_file_stops_it()
    {
        _repo.Write("jobs/taxi/job.yaml", "name: [taxi\n");

        var result = await Run("--target=Package");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        result.Error.Should().Contain("jobs/taxi/job.yaml:");
        result.Output.Should().NotMatchRegex(@"(?m)^Package\s");
    }

    [Fact]
    public async Task Lint_json_writes_only_the_findings_document_to_stdout()
    {
        _repo.Write("templates/environments/prod.json", "{\"Parameters\": {\"Environment\": \"prod\",}}\n");

        var result = await Run("--target=Lint", "--format=json");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        var finding = json.RootElement.GetProperty("findings")[0];
        finding.GetProperty("file").GetString().Should().Be("templates/environments/prod.json");
        finding.GetProperty("line").GetInt32().Should().Be(1);
        finding.GetProperty("rule").GetString().Should().Be("JSON-SYNTAX");
        finding.GetProperty("severity").GetString().Should().Be("error");
        result.Error.Should().Contain("Task").And.Contain("Duration", "the summary table goes to stderr in JSON mode");
    }

    [Fact]
    public async Task The_repository_root_is_found_from_a_subdirectory_and_the_current_directory_is_left_alone()
    {
        var previous = Environment.CurrentDirectory;

        var result = await Run("--target=Lint", $"--working={Path.Combine(_repo.Path, "jobs", "taxi")}");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("Lint: 3 file(s) checked");
        Environment.CurrentDirectory.Should().Be(previous, "the host never changes the process's current directory");
    }

    [Fact]
    public async Task Lint_outside_a_repository_says_where_to_run_it()
    {
        using var empty = new TempDirectory("empty");

        var result = await HostRun.RunAsync(PipelineHost.Create(), empty.Path, ["--target=Lint"]);

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        result.Error.Should().Contain("error REPO-LAYOUT: Neither jobs/ nor templates/ exists here").And.Contain("Fix: run from the repository root");
    }

    [Fact]
    public async Task A_missing_working_directory_is_a_usage_error()
    {
        var result = await Run("--working=/no/such/dir");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        result.Error.Should().Contain("error ARG-WORKING");
    }
}
