using GluePipeline.Diagnostics;

namespace GluePipeline.Data;

/// <summary>The file formats datasets and job sources come in.</summary>
public enum FileFormat
{
    /// <summary>Comma (or otherwise) separated values with a header.</summary>
    Csv,

    /// <summary>JSON lines, or a JSON array of objects.</summary>
    Json,

    /// <summary>Apache Parquet.</summary>
    Parquet,
}

/// <summary>
/// Files read as one relation: a file, a glob (<c>data/**/*.parquet</c>) or a folder (every file
/// below it, hive partition folders <c>year=2024/</c> becoming columns). The format comes from the
/// file names unless given.
/// </summary>
public sealed record FileDataset(string Pattern, FileFormat Format, bool HivePartitioning = true)
{
    /// <summary>Resolves a path, glob or folder (relative to <paramref name="baseDirectory"/>) to a dataset.</summary>
    public static FileDataset Resolve(string pathOrGlob, string baseDirectory, FileFormat? format = null)
    {
        var full = Path.GetFullPath(pathOrGlob, baseDirectory);
        string pattern;
        if (Directory.Exists(full))
        {
            pattern = Path.Combine(full, "**", "*");
            var sample = Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories).FirstOrDefault(f => FormatOf(f) is not null && !Path.GetFileName(f).StartsWith('.'));
            if (sample is null)
            {
                throw Error(pathOrGlob, $"The folder {full} holds no .csv, .json or .parquet files", "give a folder with data files, a file, or a glob such as data/**/*.parquet");
            }

            format ??= FormatOf(sample);
            pattern = Path.Combine(full, "**", "*" + Path.GetExtension(sample));
        }
        else if (pathOrGlob.Contains('*', StringComparison.Ordinal) || pathOrGlob.Contains('?', StringComparison.Ordinal))
        {
            pattern = full;
            format ??= FormatOf(pattern.Replace("*", "x", StringComparison.Ordinal));
            var root = FixedPrefix(full);
            if (!Directory.Exists(root))
            {
                throw Error(pathOrGlob, $"No files match {pathOrGlob}: the folder {root} does not exist", "check the path; globs are relative to the current directory");
            }
        }
        else if (File.Exists(full))
        {
            pattern = full;
            format ??= FormatOf(full);
        }
        else
        {
            throw Error(pathOrGlob, $"The dataset {full} does not exist", "give a file, a folder or a glob of .csv, .json or .parquet files");
        }

        return new FileDataset(pattern, format ?? throw Error(pathOrGlob, "The format of the dataset cannot be told from its name", "name the files .csv, .json, .jsonl or .parquet"));
    }

    /// <summary>The format a file name implies, or null.</summary>
    public static FileFormat? FormatOf(string path)
    {
        var name = path.ToLowerInvariant();
        foreach (var suffix in new[] { ".gz", ".zst", ".snappy" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                name = name[..^suffix.Length];
            }
        }

        return Path.GetExtension(name) switch
        {
            ".csv" or ".tsv" or ".txt" => FileFormat.Csv,
            ".json" or ".jsonl" or ".ndjson" => FileFormat.Json,
            ".parquet" or ".pq" => FileFormat.Parquet,
            _ => null,
        };
    }

    /// <summary>The DuckDB table function that reads the files.</summary>
    public string ToDuckDbRelation()
    {
        var literal = "'" + Pattern.Replace("'", "''", StringComparison.Ordinal) + "'";
        var hive = HivePartitioning ? "true" : "false";
        return Format switch
        {
            FileFormat.Csv => $"read_csv_auto({literal}, header = true, hive_partitioning = {hive}, union_by_name = true)",
            FileFormat.Json => $"read_json_auto({literal}, hive_partitioning = {hive}, union_by_name = true)",
            _ => $"read_parquet({literal}, hive_partitioning = {hive}, union_by_name = true)",
        };
    }

    private static string FixedPrefix(string glob)
    {
        var star = glob.IndexOfAny(['*', '?', '[']);
        var prefix = star < 0 ? glob : glob[..star];
        if (prefix.EndsWith('/'))
        {
            return prefix.TrimEnd('/');
        }

        return Path.GetDirectoryName(prefix) ?? prefix;
    }

    private static PipelineInputException Error(string given, string message, string fix) =>
        new(Diagnostic.Error(new SourceLocation($"--dataset={given}"), "DATASET", message, fix));
}
