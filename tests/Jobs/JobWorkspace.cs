using System.Globalization;
using GluePipeline.Catalog;
using GluePipeline.Data;
using GluePipeline.Jobs;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Jobs;

/// <summary>A job folder, buckets and a bookmark folder in a temp directory, and ways to run the job and read what it wrote.</summary>
public sealed class JobWorkspace : IDisposable
{
    private readonly TempDirectory _dir = new("jobrun");

    public JobWorkspace(string job = "job")
    {
        Job = job;
        Buckets = new LocalBuckets(Path.Combine(_dir.Path, "buckets"));
    }

    public string Job { get; }

    public LocalBuckets Buckets { get; }

    public InMemoryGlueCatalog Catalog { get; } = new();

    public string Root => _dir.Path;

    public string StateDirectory => Path.Combine(_dir.Path, "state");

    public string JobDirectory => Path.Combine(_dir.Path, "jobs", Job);

    public void Dispose() => _dir.Dispose();

    /// <summary>Writes job.yaml and transform.sql.</summary>
    public JobWorkspace Spec(string yaml, string sql)
    {
        _dir.Write($"jobs/{Job}/job.yaml", yaml);
        _dir.Write($"jobs/{Job}/transform.sql", sql);
        return this;
    }

    /// <summary>Writes a file of the job folder.</summary>
    public string JobFile(string relative, string content) => _dir.Write($"jobs/{Job}/{relative}", content);

    /// <summary>Writes an object into a bucket: <c>s3://bucket/key</c>.</summary>
    public string Put(string s3, string content)
    {
        var path = Buckets.PathOf(s3);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Writes rows of a DuckDB query as a file in a bucket (parquet, csv or json by extension).</summary>
    public async Task PutQueryAsync(string s3, string query)
    {
        var path = Buckets.PathOf(s3);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var format = Path.GetExtension(path) switch { ".csv" => "FORMAT csv, HEADER true", ".json" => "FORMAT json", _ => "FORMAT parquet" };
        await using var engine = await DuckDbEngine.OpenAsync(null, CancellationToken.None);
        await engine.ExecuteAsync($"COPY ({query}) TO '{path}' ({format})", CancellationToken.None);
    }

    public Task<JobSpec> LoadAsync() => JobSpecReader.LoadAsync(JobDirectory, $"jobs/{Job}", CancellationToken.None);

    public async Task<JobRunResult> RunAsync(IReadOnlyDictionary<string, string>? arguments = null, DuckDbOptions? duckDb = null, string? runId = null)
    {
        var spec = await LoadAsync();
        var options = new JobRunOptions(Buckets, StateDirectory) { Arguments = arguments ?? new Dictionary<string, string>(), Catalog = Catalog, DuckDb = duckDb, RunId = runId };
        return await new JobRunner(options).RunAsync(spec, CancellationToken.None);
    }

    /// <summary>The rows under an S3 prefix, each as "a|b|c" (NULL as ∅), sorted.</summary>
    public async Task<string[]> RowsAsync(string s3, FileFormat format = FileFormat.Parquet, string columns = "*")
    {
        var folder = Buckets.PathOf(s3);
        var glob = Path.Combine(folder, "**", "*");
        var relation = format switch
        {
            FileFormat.Csv => $"read_csv('{glob}', header = true, hive_partitioning = true, union_by_name = true)",
            FileFormat.Json => $"read_json('{glob}', hive_partitioning = true, union_by_name = true)",
            _ => $"read_parquet('{glob}', hive_partitioning = true, union_by_name = true)",
        };
        await using var engine = await DuckDbEngine.OpenAsync(null, CancellationToken.None);
        var result = await engine.QueryAsync($"SELECT {columns} FROM {relation}", CancellationToken.None);
        return result.Rows.Select(r => string.Join("|", r.Select(Text))).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Files under an S3 prefix, relative to it, sorted.</summary>
    public string[] Files(string s3)
    {
        var folder = Buckets.PathOf(s3);
        return Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray()
            : [];
    }

    /// <summary>Everything under the buckets root with its bytes' hash: to prove nothing changed.</summary>
    public IReadOnlyDictionary<string, string> Snapshot() =>
        Directory.EnumerateFiles(Buckets.Root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(Buckets.Root, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    private static string Text(object? value) => value switch
    {
        null => "∅",
        DateTime d => d.ToString(d.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
