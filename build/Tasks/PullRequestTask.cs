using GluePipeline.Build.Hosting;

namespace GluePipeline.Build.Tasks;

/// <summary>Pre-merge validation: everything up to a passing LiveTest, never a promotion.</summary>
[TaskName("PullRequest")]
[TaskDescription("Pre-merge validation: Lint, UnitTests, Package and the LiveTest of the lane; never promotes.")]
[IsDependentOn(typeof(LintTask))]
[IsDependentOn(typeof(UnitTestsTask))]
[IsDependentOn(typeof(PackageTask))]
[IsDependentOn(typeof(DeployLiveTestTask))]
[IsDependentOn(typeof(AutomatedLiveTestTask))]
[IsDependentOn(typeof(TeardownLiveTestTask))]
public sealed class PullRequestTask : FrostingTask<BuildContext>;
