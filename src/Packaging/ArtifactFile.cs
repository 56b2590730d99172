using System.Text.Json.Serialization;

namespace GluePipeline.Packaging;

/// <summary>One file of an artifact as the manifest records it.</summary>
/// <param name="Path">Repository-relative path with '/' separators (e.g. <c>jobs/taxi/job.yaml</c>).</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the file's bytes.</param>
/// <param name="Size">Size in bytes.</param>
public sealed record ArtifactFile(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("size")] long Size);
