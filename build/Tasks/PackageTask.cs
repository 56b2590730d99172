using GluePipeline.Build.Hosting;

namespace GluePipeline.Build.Tasks;

/// <summary>Builds the one artifact that is tested, approved and promoted.</summary>
[TaskName("Package")]
[TaskDescription("Artifact zip + manifest (per-file sha256, digest) from the git-tracked files of jobs/ and templates/.")]
[IsDependentOn(typeof(LintTask))]
public sealed class PackageTask : FrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override void Run(BuildContext context) =>
        throw new NotAvailableYetException("deterministic packaging (issue #3)");
}
