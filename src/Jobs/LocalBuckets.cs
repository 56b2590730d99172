using System.Text.RegularExpressions;

namespace GluePipeline.Jobs;

/// <summary>
/// Where S3 lives on this machine: every bucket is a folder, <c>s3://bucket/key</c> is
/// <c>&lt;folder of bucket&gt;/key</c>. By default each bucket is a folder under one root; single
/// buckets can be mapped elsewhere. The local stack and RunJob give the root.
/// </summary>
public sealed partial class LocalBuckets(string root, IReadOnlyDictionary<string, string>? overrides = null)
{
    /// <summary>The folder that holds a folder per bucket.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The folder of a bucket.</summary>
    public string BucketFolder(string bucket) =>
        overrides?.GetValueOrDefault(bucket) is { } folder ? Path.GetFullPath(folder) : Path.Combine(Root, bucket);

    /// <summary>The local path of an S3 location (a prefix or an object).</summary>
    public string PathOf(string s3)
    {
        var match = S3Location().Match(s3);
        if (!match.Success)
        {
            throw new ArgumentException($"'{s3}' is not an s3://bucket/key location", nameof(s3));
        }

        var key = match.Groups[2].Value.TrimStart('/');
        var folder = BucketFolder(match.Groups[1].Value);
        return key.Length == 0 ? folder : Path.GetFullPath(Path.Combine(folder, key.Replace('/', Path.DirectorySeparatorChar)));
    }

    /// <summary>The bucket of an S3 location.</summary>
    public static string BucketOf(string s3) => Split(s3).Bucket;

    /// <summary>The bucket and key (without a leading slash) of an S3 location.</summary>
    public static (string Bucket, string Key) Split(string s3) =>
        S3Location().Match(s3) is { Success: true } m ? (m.Groups[1].Value, m.Groups[2].Value.TrimStart('/')) : throw new ArgumentException($"'{s3}' is not an s3://bucket/key location", nameof(s3));

    /// <summary>
    /// The data files under a prefix's folder, in a stable order: hidden and marker files
    /// (<c>.x</c>, <c>_SUCCESS</c>, <c>_temporary/</c>, <c>*.crc</c>) are not data, as in S3 listings Glue reads.
    /// </summary>
    public static string[] DataFiles(string folder) =>
        !Directory.Exists(folder)
            ? []
            : Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(f => Path.GetRelativePath(folder, f).Split(Path.DirectorySeparatorChar).All(part => !part.StartsWith('.') && !part.StartsWith('_')) && !f.EndsWith(".crc", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .ToArray();

    [GeneratedRegex("^s3://([^/]+)(/.*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex S3Location();
}
