using System.IO.Compression;
using System.Security.Cryptography;
using GluePipeline.Diagnostics;

namespace GluePipeline.Packaging;

/// <summary>The kinds of difference between an artifact and what it claims to be.</summary>
public enum ArtifactProblemKind
{
    /// <summary>A file's bytes differ from the manifest's sha256 or size.</summary>
    Changed,

    /// <summary>A file the manifest lists is not in the zip.</summary>
    Missing,

    /// <summary>A file in the zip is not in the manifest.</summary>
    Extra,

    /// <summary>The zip holds the same path twice.</summary>
    Duplicate,

    /// <summary>The manifest's digest does not match its own file list.</summary>
    ManifestDigest,

    /// <summary>The manifest beside the zip differs from the one inside.</summary>
    BesideManifest,

    /// <summary>The artifact's digest is not the expected (approved) one.</summary>
    ExpectedDigest,

    /// <summary>The zip or its manifest cannot be read at all.</summary>
    Unreadable,
}

/// <summary>One difference found by <see cref="ArtifactVerifier"/>.</summary>
public sealed record ArtifactProblem(ArtifactProblemKind Kind, string Path, string Detail)
{
    /// <summary>One line for a report, e.g. <c>changed  jobs/taxi/transform.sql: sha256 ...</c>.</summary>
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant(),-15} {Path}: {Detail}";
}

/// <summary>The outcome of verifying an artifact.</summary>
/// <param name="ZipPath">The zip that was verified.</param>
/// <param name="Manifest">Its manifest, when it could be read.</param>
/// <param name="Problems">Every difference found; empty when the artifact is intact.</param>
public sealed record ArtifactVerification(string ZipPath, ArtifactManifest? Manifest, IReadOnlyList<ArtifactProblem> Problems)
{
    /// <summary>Whether the artifact is exactly what its manifest (and the expected digest) say.</summary>
    public bool IsIntact => Problems.Count == 0;
}

/// <summary>
/// Checks a zip against the manifest inside it, the manifest beside it and an expected digest, and
/// lists every changed, missing or extra file. Promotion uses it before deploying anything.
/// </summary>
public static class ArtifactVerifier
{
    /// <summary>Verifies <paramref name="zipPath"/>.</summary>
    /// <param name="zipPath">The artifact zip.</param>
    /// <param name="expectedDigest">The digest it must have (e.g. the approved one), or null.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    public static async Task<ArtifactVerification> VerifyAsync(string zipPath, string? expectedDigest, CancellationToken cancellationToken)
    {
        if (!File.Exists(zipPath))
        {
            throw new PipelineInputException(Diagnostic.Error(new SourceLocation(zipPath), "ARTIFACT-MISSING", "The artifact does not exist", "run --target=Package first, or give --artifact=<path to the zip>"));
        }

        var problems = new List<ArtifactProblem>();
        ArtifactManifest? manifest = null;
        byte[]? innerManifestBytes = null;
        var actual = new Dictionary<string, (string Sha, long Size)>(StringComparer.Ordinal);
        try
        {
            await using var stream = File.OpenRead(zipPath);
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
            foreach (var entry in zip.Entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (entry.FullName.EndsWith('/'))
                {
                    continue; // a directory entry carries no content
                }

                await using var content = entry.Open();
                using var buffer = new MemoryStream();
                await content.CopyToAsync(buffer, cancellationToken);
                var bytes = buffer.ToArray();
                if (entry.FullName == ArtifactManifest.EntryName)
                {
                    innerManifestBytes = bytes;
                    continue;
                }

                if (!actual.TryAdd(entry.FullName, (Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.LongLength)))
                {
                    problems.Add(new(ArtifactProblemKind.Duplicate, entry.FullName, "the zip holds this path more than once"));
                }
            }
        }
        catch (InvalidDataException ex)
        {
            problems.Add(new(ArtifactProblemKind.Unreadable, zipPath, "not a readable zip archive: " + ex.Message));
            return new ArtifactVerification(zipPath, null, problems);
        }

        if (innerManifestBytes is null)
        {
            problems.Add(new(ArtifactProblemKind.Unreadable, ArtifactManifest.EntryName, "the zip holds no manifest.json"));
            return new ArtifactVerification(zipPath, null, problems);
        }

        try
        {
            manifest = ArtifactManifest.Parse(innerManifestBytes, $"{zipPath}!{ArtifactManifest.EntryName}");
        }
        catch (PipelineInputException ex)
        {
            problems.Add(new(ArtifactProblemKind.Unreadable, ArtifactManifest.EntryName, ex.Diagnostics[0].Message));
            return new ArtifactVerification(zipPath, null, problems);
        }

        CompareFiles(manifest, actual, problems);

        var recomputed = ArtifactManifest.ComputeDigest(manifest.Files);
        if (recomputed != manifest.Digest)
        {
            problems.Add(new(ArtifactProblemKind.ManifestDigest, ArtifactManifest.EntryName, $"the manifest says digest {manifest.Digest} but its files give {recomputed}"));
        }

        var beside = PackagedArtifact.ManifestPathFor(zipPath);
        if (File.Exists(beside) && !(await File.ReadAllBytesAsync(beside, cancellationToken)).AsSpan().SequenceEqual(innerManifestBytes))
        {
            problems.Add(new(ArtifactProblemKind.BesideManifest, Path.GetFileName(beside), "differs from the manifest inside the zip"));
        }

        if (expectedDigest is not null && !string.Equals(expectedDigest, recomputed, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add(new(ArtifactProblemKind.ExpectedDigest, zipPath, $"the artifact's digest is {recomputed}, expected {expectedDigest.ToLowerInvariant()}"));
        }

        return new ArtifactVerification(zipPath, manifest, problems);
    }

    private static void CompareFiles(ArtifactManifest manifest, Dictionary<string, (string Sha, long Size)> actual, List<ArtifactProblem> problems)
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            if (!listed.Add(file.Path))
            {
                problems.Add(new(ArtifactProblemKind.Duplicate, file.Path, "the manifest lists this path more than once"));
                continue;
            }

            if (!actual.TryGetValue(file.Path, out var found))
            {
                problems.Add(new(ArtifactProblemKind.Missing, file.Path, "listed in the manifest, not in the zip"));
            }
            else if (found.Sha != file.Sha256 || found.Size != file.Size)
            {
                problems.Add(new(ArtifactProblemKind.Changed, file.Path, $"sha256 {found.Sha} ({found.Size} bytes), manifest says {file.Sha256} ({file.Size} bytes)"));
            }
        }

        foreach (var path in actual.Keys.Where(p => !listed.Contains(p)).Order(StringComparer.Ordinal))
        {
            problems.Add(new(ArtifactProblemKind.Extra, path, "in the zip, not in the manifest"));
        }
    }
}
