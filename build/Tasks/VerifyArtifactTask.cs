using Cake.Core.Diagnostics;
using GluePipeline.Build.Hosting;
using GluePipeline.Diagnostics;
using GluePipeline.Packaging;

namespace GluePipeline.Build.Tasks;

/// <summary>Checks that an artifact is exactly what its manifest (and an expected digest) say.</summary>
[TaskName("VerifyArtifact")]
[TaskDescription("Check an artifact zip against its manifest and digest (--artifact, --digest); lists every changed, missing or extra file.")]
public sealed class VerifyArtifactTask : AsyncFrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override async Task RunAsync(BuildContext context)
    {
        var zip = context.ArtifactPath ?? context.PackagedArtifact?.ZipPath ?? FindNewest(context);
        var result = await ArtifactVerifier.VerifyAsync(zip, context.ExpectedDigest, context.CancellationToken);
        if (result.IsIntact)
        {
            context.Log.Information("Verified {0}: {1} files, digest {2}", Path.GetFileName(zip), result.Manifest!.Files.Count, result.Manifest.Digest);
            return;
        }

        foreach (var problem in result.Problems)
        {
            context.Log.Error("{0}", problem.ToString());
        }

        throw new TargetFailedException($"{Path.GetFileName(zip)} does not match its manifest: {result.Problems.Count} problem(s); do not deploy it, package again from the commit");
    }

    private static string FindNewest(BuildContext context)
    {
        var candidates = Directory.Exists(context.ArtifactsDirectory)
            ? new DirectoryInfo(context.ArtifactsDirectory).GetFiles("*.zip").OrderByDescending(f => f.LastWriteTimeUtc).ToArray()
            : [];
        if (candidates.Length == 0)
        {
            throw new PipelineInputException(Diagnostic.Error(
                new SourceLocation("artifacts/"),
                "ARTIFACT-MISSING",
                "There is no artifact to verify",
                "run --target=Package first, or give --artifact=<path to the zip>"));
        }

        context.Log.Information("Verifying {0} (the newest in artifacts/; give --artifact to choose)", candidates[0].Name);
        return candidates[0].FullName;
    }
}
