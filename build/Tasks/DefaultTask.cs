using GluePipeline.Build.Hosting;

namespace GluePipeline.Build.Tasks;

/// <summary>The release path, end to end.</summary>
[TaskName("Default")]
[TaskDescription("The release path: Lint -> UnitTests -> Package -> DeployLiveTest -> AutomatedLiveTest -> AwaitApproval -> TeardownLiveTest -> PromoteToProduction.")]
[IsDependentOn(typeof(LintTask))]
[IsDependentOn(typeof(UnitTestsTask))]
[IsDependentOn(typeof(PackageTask))]
[IsDependentOn(typeof(DeployLiveTestTask))]
[IsDependentOn(typeof(AutomatedLiveTestTask))]
[IsDependentOn(typeof(AwaitApprovalTask))]
[IsDependentOn(typeof(TeardownLiveTestTask))]
[IsDependentOn(typeof(PromoteToProductionTask))]
public sealed class DefaultTask : FrostingTask<BuildContext>;
