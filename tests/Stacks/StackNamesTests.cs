using GluePipeline.Stacks;

namespace GluePipeline.Tests.Stacks;

public sealed class StackNamesTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void A_branch_and_a_checkout_give_a_name_that_two_checkouts_do_not_share()
    {
        var one = StackNames.LiveTest(new RunOrigin("feature/Add-Quakes", null, null, "/home/ann/etl"));
        var other = StackNames.LiveTest(new RunOrigin("feature/Add-Quakes", null, null, "/home/bo/etl"));

        one.Should().MatchRegex("^livetest-feature-add-quakes-[0-9a-f]{6}$");
        other.Should().NotBe(one);
        StackNames.LiveTest(new RunOrigin("feature/Add-Quakes", null, null, "/home/ann/etl")).Should().Be(one, "a re-run of one checkout finds its stack");
    }

    [Fact]
    public void Ci_builds_name_stacks_by_pull_request_and_build_id()
    {
        var codebuild = RunOrigin.Detect(Env(("CODEBUILD_WEBHOOK_TRIGGER", "pr/42"), ("CODEBUILD_BUILD_ID", "etl:1234")), "/codebuild/src", "HEAD");
        var github = RunOrigin.Detect(Env(("GITHUB_REF", "refs/pull/7/merge"), ("GITHUB_HEAD_REF", "fix-x"), ("GITHUB_RUN_ID", "99")), "/w", null);
        var branch = RunOrigin.Detect(Env(("CODEBUILD_WEBHOOK_TRIGGER", "branch/main")), "/w", "HEAD");

        codebuild.Should().Be(new RunOrigin(null, "42", "etl:1234", "/codebuild/src"));
        StackNames.LiveTest(codebuild).Should().MatchRegex("^livetest-pr-42-[0-9a-f]{6}$");
        github.PullRequest.Should().Be("7");
        branch.Branch.Should().Be("main");
        StackNames.LiveTest(RunOrigin.Detect(Env(), "/w", "HEAD")).Should().StartWith("livetest-detached-");
    }

    [Fact]
    public void Names_stay_short_and_make_a_valid_glue_name_suffix()
    {
        var name = StackNames.LiveTest(new RunOrigin("123-a-very-long-branch-name-that-goes-on-and-on", null, "b", "/w"));

        name.Length.Should().BeLessThanOrEqualTo(40);
        StackNames.NameSuffix(name).Should().MatchRegex("^[a-z][a-z0-9_]{0,62}$");
    }
}
