using GluePipeline.Build;
using GluePipeline.Build.Hosting;
using GluePipeline.Stacks;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Stacks;

/// <summary>DeployLiveTest, AutomatedLiveTest and TeardownLiveTest in the local lane, driven as a user runs them.</summary>
public sealed class LiveTestTargetsTests : IDisposable
{
    private readonly GitFixture _repo = new("livetest-repo");

    public LiveTestTargetsTests()
    {
        _repo.Write("cake.config", "[Package]\nName=etl\n[Lint]\nStrict=true\n");
        _repo.Write(".gitignore", "artifacts/\n.pipeline/\n");
        GluePipeline.Repository.ProductFiles.CopyTree(RepositoryRoot.Path, _repo.Path);
        _repo.Commit("product");
    }

    public void Dispose() => _repo.Dispose();

    private Task<HostRunResult> Run(params string[] args) => HostRun.RunAsync(PipelineHost.Create(), _repo.Path, args);

    private string StateRoot => Path.Combine(_repo.Path, ".pipeline", "stacks");

    [Fact]
    public async Task AutomatedLiveTest_deploys_tests_reports_and_leaves_no_stack_behind()
    {
        var result = await Run("--target=AutomatedLiveTest", "--scale=0.001", "--no-livetests", "--stack=livetest-t-1");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("Deployed the local stack livetest-t-1").And.Contain("job taxi_livetest_t_1").And.Contain("PASSED").And.Contain("Data work (fixtures, crawls, jobs, rules):");
        result.Output.Should().Contain("Tore down the local stack livetest-t-1");
        (Directory.Exists(StateRoot) ? Directory.EnumerateFileSystemEntries(StateRoot) : []).Should().BeEmpty("the teardown hook removes the stack's state");
        var reports = Path.Combine(_repo.Path, "artifacts", "livetest", "livetest-t-1");
        File.Exists(Path.Combine(reports, "livetest.junit.xml")).Should().BeTrue();
        File.Exists(Path.Combine(reports, "livetest.html")).Should().BeTrue();
    }

    [Fact]
    public async Task A_failing_stage_fails_the_target_and_the_stack_is_still_torn_down()
    {
        var rules = Path.Combine(_repo.Path, "jobs", "quakes", "rules.dqdl");
        File.WriteAllText(rules, File.ReadAllText(rules).Replace("RowCount > 0", "RowCount > 100000", StringComparison.Ordinal));
        _repo.Commit("stricter");

        var result = await Run("--target=AutomatedLiveTest", "--scale=0.001", "--no-livetests", "--stack=livetest-t-2");

        result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
        result.Error.Should().Contain("rules of quakes_livetest_t_2: 8 of 9 rules passed");
        Directory.Exists(Path.Combine(StateRoot, "livetest-t-2")).Should().BeFalse();
    }

    [Fact]
    public async Task TeardownLiveTest_removes_a_stack_left_behind()
    {
        await LocalStack.DeployAsync(new LocalDeployRequest("livetest-left-1", StateRoot) { ArtifactDirectory = _repo.Path }, CancellationToken.None);

        var result = await Run("--target=TeardownLiveTest", "--stack=livetest-left-1");
        var again = await Run("--target=TeardownLiveTest", "--stack=livetest-left-1");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("Tore down the local stack livetest-left-1");
        Directory.Exists(Path.Combine(StateRoot, "livetest-left-1")).Should().BeFalse();
        again.Output.Should().Contain("There is no local stack livetest-left-1: nothing to tear down");
    }

    [Fact]
    public async Task The_aws_lane_alone_needs_the_artifact_its_stack_was_deployed_from()
    {
        var result = await Run("--target=AutomatedLiveTest", "--lane=aws", "--exclusive");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        result.Error.Should().Contain("ARG-ARTIFACT").And.Contain("--artifact=<zip>");
    }
}

/// <summary>The whole local stage on this repository, livetests/ included (a nested dotnet test).</summary>
[Collection(nameof(NestedLiveTests))]
public sealed class LiveTestOnThisRepositoryTests
{
    [Fact]
    public async Task AutomatedLiveTest_passes_on_this_repository_with_its_livetests()
    {
        var stack = "livetest-selftest-" + Guid.NewGuid().ToString("N")[..6];

        var result = await HostRun.RunAsync(PipelineHost.Create(), RepositoryRoot.Path, ["--target=AutomatedLiveTest", "--scale=0.002", $"--stack={stack}"]);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().MatchRegex(@"PASSED livetests/ in [0-9.]+ s: \d+ tests: \d+ passed, 0 failed");
        Directory.Exists(Path.Combine(RepositoryRoot.Path, ".pipeline", "stacks", stack)).Should().BeFalse();
    }
}
