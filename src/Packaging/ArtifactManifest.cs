using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using GluePipeline.Diagnostics;

namespace GluePipeline.Packaging;

/// <summary>
/// What an artifact holds and where it came from. Stored as <c>manifest.json</c> inside the zip and
/// beside it. Everything in it derives from the commit, so the same commit gives the same bytes.
/// </summary>
public sealed record ArtifactManifest
{
    /// <summary>The file name of the manifest inside the zip.</summary>
    public const string EntryName = "manifest.json";

    /// <summary>The manifest format this code writes.</summary>
    public const int CurrentFormat = 1;

    /// <summary>The manifest format.</summary>
    [JsonPropertyName("manifestVersion")]
    public int ManifestVersion { get; init; } = CurrentFormat;

    /// <summary>The artifact's name (cake.config <c>[Package] Name</c>).</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>The version; ends in <c>+dirty</c> (or <c>.dirty</c> in build metadata) for an uncommitted tree.</summary>
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    /// <summary>The full commit id, or null when unknown.</summary>
    [JsonPropertyName("commit")]
    public string? Commit { get; init; }

    /// <summary>The commit time (UTC), or null when unknown; also the time stamped on every zip entry.</summary>
    [JsonPropertyName("sourceDate")]
    public DateTimeOffset? SourceDate { get; init; }

    /// <summary>Whether the tree had uncommitted changes; promotion refuses a dirty artifact.</summary>
    [JsonPropertyName("dirty")]
    public bool Dirty { get; init; }

    /// <summary>Every file, sorted ordinally by path.</summary>
    [JsonPropertyName("files")]
    public required IReadOnlyList<ArtifactFile> Files { get; init; }

    /// <summary>The artifact digest (<see cref="ComputeDigest"/>).</summary>
    [JsonPropertyName("digest")]
    public required string Digest { get; init; }

    /// <summary>
    /// The artifact digest (ARCHITECTURE.md): the SHA-256 of the sorted <c>path&lt;TAB&gt;sha256&lt;LF&gt;</c>
    /// lines of the files. It depends on the content only, not on the zip container or the version.
    /// </summary>
    public static string ComputeDigest(IEnumerable<ArtifactFile> files)
    {
        var text = new StringBuilder();
        foreach (var file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            text.Append(file.Path).Append('\t').Append(file.Sha256).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The manifest as UTF-8 JSON with LF line endings and a final newline (stable bytes).</summary>
    public byte[] ToJsonBytes()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            JsonSerializer.Serialize(writer, this, ManifestJsonContext.Default.ArtifactManifest);
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>The manifest inside an artifact zip, and its bytes as packaged; a zip without one is a <see cref="PipelineInputException"/>.</summary>
    public static async Task<(ArtifactManifest Manifest, byte[] Bytes)> ReadAsync(System.IO.Compression.ZipArchive zip, string zipPath, CancellationToken cancellationToken)
    {
        var entry = zip.GetEntry(EntryName) ?? throw new PipelineInputException(Diagnostic.Error(new SourceLocation(zipPath), "ARG-ARTIFACT", $"The artifact has no {EntryName}", "give a zip made by --target=Package"));
        var bytes = await EntryBytesAsync(entry, cancellationToken);
        return (Parse(bytes, $"{zipPath}!{EntryName}"), bytes);
    }

    /// <summary>The bytes of one zip entry.</summary>
    public static async Task<byte[]> EntryBytesAsync(System.IO.Compression.ZipArchiveEntry entry, CancellationToken cancellationToken)
    {
        await using var stream = entry.Open();
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>Reads a manifest; a malformed one is a <see cref="PipelineInputException"/> naming <paramref name="source"/>.</summary>
    public static ArtifactManifest Parse(byte[] json, string source)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize(json, ManifestJsonContext.Default.ArtifactManifest)
                ?? throw new JsonException("The manifest is null.");
            if (manifest.ManifestVersion != CurrentFormat)
            {
                throw new PipelineInputException(Diagnostic.Error(
                    new SourceLocation(source),
                    "ARTIFACT-MANIFEST",
                    $"Manifest format {manifest.ManifestVersion} is not supported (this build reads format {CurrentFormat})",
                    "package the artifact again with this version of the pipeline"));
            }

            return manifest;
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? 0) + 1;
            throw new PipelineInputException(Diagnostic.Error(
                new SourceLocation(source, line),
                "ARTIFACT-MANIFEST",
                "The manifest is not a valid artifact manifest: " + ex.Message.Split(" Path:")[0],
                "package the artifact again; a manifest is never edited by hand"));
        }
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ArtifactManifest))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
