using System.IO.Compression;
using GluePipeline.Aws;
using GluePipeline.Packaging;

namespace GluePipeline.Stacks;

/// <summary>What publishing did.</summary>
/// <param name="Bucket">The artifact bucket.</param>
/// <param name="Prefix">Where the artifact is: <c>&lt;name&gt;/&lt;version&gt;/&lt;digest16&gt;</c>.</param>
/// <param name="Uploaded">How many files were uploaded (0 when the digest was already published).</param>
/// <param name="AlreadyPublished">True when the digest was there already: nothing was uploaded.</param>
public sealed record PublishedArtifact(string Bucket, string Prefix, int Uploaded, bool AlreadyPublished)
{
    /// <summary>The artifact's location as the template's jobs see it.</summary>
    public string Location => $"s3://{Bucket}/{Prefix}/";
}

/// <summary>
/// Publishes a verified artifact's <c>jobs/</c> (scripts, specs, SQL, rules) to the artifact bucket under
/// <c>&lt;name&gt;/&lt;version&gt;/&lt;digest16&gt;</c>, the prefix the stack's <c>ArtifactPrefix</c>
/// parameter is given, so every ScriptLocation and spec argument reads the bytes that were tested; the
/// LiveTest and production stacks deploy from the same prefix. The artifact's <c>manifest.json</c>
/// goes last, with the full digest as metadata: it marks a complete publication, so publishing a digest
/// that is there is a no-op, and an interrupted one is done again. The zip itself is kept beside them
/// (<c>artifact.zip</c>): Rollback re-deploys a release from it.
/// </summary>
public static class AwsPublish
{
    /// <summary>The folder of the artifact that Glue reads.</summary>
    public const string JobsFolder = "jobs/";

    /// <summary>The name the artifact zip is kept under, beside its jobs/.</summary>
    public const string ArtifactFile = "artifact.zip";

    /// <summary>Publishes the artifact unless its digest is published already.</summary>
    public static async Task<PublishedArtifact> PublishAsync(string artifactZip, string bucket, AwsClients aws, Action<string> log, CancellationToken cancellationToken)
    {
        using var zip = ZipFile.OpenRead(artifactZip);
        var (manifest, manifestBytes) = await ArtifactManifest.ReadAsync(zip, artifactZip, cancellationToken);
        var prefix = AwsStack.ArtifactPrefix(manifest);
        var marker = $"{prefix}/{ArtifactManifest.EntryName}";

        if (await aws.S3.HeadObjectAsync(bucket, marker, cancellationToken) is { } published)
        {
            if (published.GetValueOrDefault("digest") is { } digest && digest != manifest.Digest)
            {
                throw new StackDeployException($"s3://{bucket}/{marker} holds the artifact {digest}, not {manifest.Digest}: two artifacts share a prefix. Delete s3://{bucket}/{prefix}/ or build a new version");
            }

            log($"{manifest.Name} {manifest.Version} ({manifest.Digest}) is already published at s3://{bucket}/{prefix}/: nothing to upload");
            return new PublishedArtifact(bucket, prefix, 0, AlreadyPublished: true);
        }

        var files = zip.Entries.Where(e => e.FullName.StartsWith(JobsFolder, StringComparison.Ordinal) && !e.FullName.EndsWith('/')).OrderBy(e => e.FullName, StringComparer.Ordinal).ToArray();

        // Files one at a time in plan mode (the plan is read in order), eight at a time otherwise. A zip entry is not thread-safe: read first.
        var contents = new List<(string Name, byte[] Bytes)>();
        foreach (var file in files)
        {
            contents.Add((file.FullName, await ArtifactManifest.EntryBytesAsync(file, cancellationToken)));
        }

        await Parallel.ForEachAsync(
            contents,
            new ParallelOptions { MaxDegreeOfParallelism = aws.Plan is null ? 8 : 1, CancellationToken = cancellationToken },
            async (file, token) => await aws.S3.PutObjectAsync(bucket, $"{prefix}/{file.Name}", file.Bytes, ContentType(file.Name), token));
        await aws.S3.PutObjectAsync(bucket, $"{prefix}/{ArtifactFile}", await File.ReadAllBytesAsync(artifactZip, cancellationToken), "application/zip", cancellationToken);
        await aws.S3.PutObjectAsync(bucket, marker, manifestBytes, "application/json", cancellationToken, new Dictionary<string, string>(StringComparer.Ordinal) { ["digest"] = manifest.Digest });
        log($"Published {manifest.Name} {manifest.Version} ({manifest.Digest}): {contents.Count} file(s) of jobs/ to s3://{bucket}/{prefix}/");
        return new PublishedArtifact(bucket, prefix, contents.Count + 2, AlreadyPublished: false);
    }

    private static string ContentType(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".py" => "text/x-python",
        ".yaml" or ".yml" => "application/x-yaml",
        ".json" => "application/json",
        ".sql" or ".dqdl" or ".txt" or ".md" => "text/plain; charset=utf-8",
        ".csv" => "text/csv",
        _ => "application/octet-stream",
    };
}
