using Cake.Core.Diagnostics;
using GluePipeline.Build.Hosting;
using GluePipeline.Packaging;

namespace GluePipeline.Build.Tasks;

/// <summary>Builds the one artifact that is tested, approved and promoted.</summary>
[TaskName("Package")]
[TaskDescription("Deterministic artifact zip + manifest (per-file sha256, digest) from the git-tracked files of jobs/ and templates/.")]
[IsDependentOn(typeof(LintTask))]
public sealed class PackageTask : AsyncFrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override async Task RunAsync(BuildContext context)
    {
        var artifact = await new ArtifactBuilder().BuildAsync(
            new PackageRequest(context.RepositoryRoot, context.ArtifactName, context.Version, context.ArtifactsDirectory),
            context.CancellationToken);
        context.PackagedArtifact = artifact;

        var manifest = artifact.Manifest;
        context.Log.Information("Artifact  {0}", Path.GetRelativePath(context.RepositoryRoot, artifact.ZipPath));
        context.Log.Information("Version   {0}", manifest.Version);
        context.Log.Information("Commit    {0}", manifest.Commit ?? "(unknown)");
        context.Log.Information("Files     {0} ({1:N0} bytes)", manifest.Files.Count, manifest.Files.Sum(f => f.Size));
        context.Log.Information("Digest    {0}", manifest.Digest);
        if (manifest.Dirty)
        {
            context.Log.Warning("The tree has uncommitted changes: this artifact is for the inner loop only; promotion refuses a dirty artifact. Commit to get a promotable one.");
        }
    }
}
