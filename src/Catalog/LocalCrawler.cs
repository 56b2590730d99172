using System.Text;
using GluePipeline.Data;
using GluePipeline.Jobs;

namespace GluePipeline.Catalog;

/// <summary>A crawler as the template declares it.</summary>
/// <param name="Name">The crawler's name.</param>
/// <param name="Database">The database it writes tables to.</param>
/// <param name="S3Targets">The S3 prefixes it crawls.</param>
/// <param name="TablePrefix">Prepended to the names of the tables it creates.</param>
/// <param name="UpdateInDatabase">Whether a re-crawl replaces a table's schema (UPDATE_IN_DATABASE) or only logs the change (LOG).</param>
public sealed record CrawlerDefinition(string Name, string Database, IReadOnlyList<string> S3Targets, string TablePrefix = "", bool UpdateInDatabase = true);

/// <summary>What a crawl did to one table.</summary>
/// <param name="Table">The table.</param>
/// <param name="Action">created, updated, unchanged (schema change logged only), or "no data".</param>
/// <param name="Files">Data files found.</param>
/// <param name="Partitions">Partitions registered.</param>
public sealed record CrawledTable(string Table, string Action, int Files, int Partitions);

/// <summary>
/// The local lane's crawler: each S3 target becomes a table named after its last folder (with the
/// crawler's prefix), the format from the files, the schema inferred by DuckDB (nested JSON as
/// struct and array types), CSV settings sniffed, and <c>key=value</c> folders as partition columns
/// (strings, as Glue types them). A re-crawl updates the table (or, with LOG, keeps its schema) and
/// registers new partitions.
/// </summary>
public static class LocalCrawler
{
    /// <summary>Crawls every target of a crawler into the catalog.</summary>
    public static async Task<IReadOnlyList<CrawledTable>> CrawlAsync(CrawlerDefinition crawler, LocalBuckets buckets, LocalGlueCatalog catalog, CancellationToken cancellationToken)
    {
        catalog.CreateDatabase(crawler.Database);
        var results = new List<CrawledTable>();
        foreach (var target in crawler.S3Targets)
        {
            results.Add(await CrawlTargetAsync(crawler, target, buckets, catalog, cancellationToken));
        }

        return results;
    }

    private static async Task<CrawledTable> CrawlTargetAsync(CrawlerDefinition crawler, string target, LocalBuckets buckets, LocalGlueCatalog catalog, CancellationToken cancellationToken)
    {
        var folder = buckets.PathOf(target);
        var name = TableName(crawler.TablePrefix + target.TrimEnd('/').Split('/')[^1]);
        var files = LocalBuckets.DataFiles(folder).Where(f => FormatOf(f) is not null).ToArray();
        if (files.Length == 0)
        {
            return new CrawledTable(name, "no data", 0, 0);
        }

        var format = files.GroupBy(f => FormatOf(f)!.Value).OrderByDescending(g => g.Count()).First().Key;
        files = files.Where(f => FormatOf(f) == format).ToArray();
        var partitionKeys = PartitionKeys(folder, files);
        var partitions = files
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/').Split('/')[..^1].Where(p => p.Contains('=')).Select(p => p.Split('=', 2)).Where(kv => partitionKeys.Contains(kv[0])).ToDictionary(kv => kv[0], kv => Uri.UnescapeDataString(kv[1]), StringComparer.Ordinal))
            .Where(p => p.Count > 0)
            .DistinctBy(p => string.Join("/", p.Select(kv => kv.Key + "=" + kv.Value)))
            .ToList();

        await using var engine = await DuckDbEngine.OpenAsync(null, cancellationToken);
        var csv = format == FileFormat.Csv ? await SniffAsync(engine, files[0], cancellationToken) : new CsvOptions();
        var described = await engine.QueryAsync($"DESCRIBE SELECT * FROM {Read(format, files, csv, hive: false)}", cancellationToken);
        var columns = described.Rows.Select(r => new CatalogColumn((string)r[0]!, GlueType((string)r[1]!))).Where(c => !partitionKeys.Contains(c.Name, StringComparer.OrdinalIgnoreCase)).ToList();

        var existing = catalog.Table(crawler.Database, name);
        var action = existing is null ? "created" : crawler.UpdateInDatabase ? "updated" : "unchanged (schema change logged)";
        var table = existing is not null && !crawler.UpdateInDatabase ? existing : new LocalTable
        {
            Name = name,
            Location = target.EndsWith('/') ? target : target + "/",
            Format = format,
            Columns = columns,
            PartitionKeys = partitionKeys.Select(k => new CatalogColumn(k, "string")).ToList(),
            Csv = csv,
            CreatedBy = existing?.CreatedBy ?? $"crawler:{crawler.Name}",
        };
        table.Partitions = existing is not null && !crawler.UpdateInDatabase ? table.Partitions : [];
        catalog.PutTable(crawler.Database, table);
        await catalog.AddPartitionsAsync(crawler.Database, name, partitions, cancellationToken);
        return new CrawledTable(name, action, files.Length, partitions.Count);
    }

    /// <summary>The table function reading a table's files (also used by the local "Athena").</summary>
    public static string Read(FileFormat format, IReadOnlyList<string> files, CsvOptions csv, bool hive)
    {
        var list = "[" + string.Join(", ", files.Select(SqlDialect.DuckDb.String)) + "]";
        var common = $"hive_partitioning = {(hive ? "true" : "false")}, hive_types_autocast = false, union_by_name = true";
        return format switch
        {
            FileFormat.Csv => $"read_csv({list}, header = {(csv.Header ? "true" : "false")}, delim = {SqlDialect.DuckDb.String(csv.Delimiter)}, quote = {SqlDialect.DuckDb.String(csv.Quote)}, escape = {SqlDialect.DuckDb.String(csv.Escape)}, {common})",
            FileFormat.Json => $"read_json({list}, format = 'auto', {common})",
            _ => $"read_parquet({list}, {common})",
        };
    }

    /// <summary>The format of a data file by its extension (compressed text too), or null.</summary>
    public static FileFormat? FormatOf(string path)
    {
        var name = path.ToLowerInvariant();
        foreach (var suffix in new[] { ".gz", ".zst", ".bz2", ".snappy" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && !name.EndsWith(".parquet" + suffix, StringComparison.Ordinal))
            {
                name = name[..^suffix.Length];
            }
        }

        return Path.GetExtension(name) switch
        {
            ".csv" or ".tsv" or ".txt" => FileFormat.Csv,
            ".json" or ".jsonl" or ".ndjson" => FileFormat.Json,
            ".parquet" => FileFormat.Parquet,
            _ => null,
        };
    }

    /// <summary>Glue's table name for a folder: lowercase, other characters as underscores.</summary>
    public static string TableName(string folder)
    {
        var name = new StringBuilder();
        foreach (var c in folder.ToLowerInvariant())
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return name.ToString();
    }

    /// <summary>A DuckDB type as the Glue catalog writes it (Hive types; nested types spelled out).</summary>
    public static string GlueType(string duckDbType)
    {
        var type = duckDbType.Trim();
        if (type.EndsWith("[]", StringComparison.Ordinal))
        {
            return $"array<{GlueType(type[..^2])}>";
        }

        var upper = type.ToUpperInvariant();
        if (upper.StartsWith("STRUCT(", StringComparison.Ordinal))
        {
            var fields = SplitTop(type[7..^1]).Select(f =>
            {
                var field = f.Trim();
                var split = field.StartsWith('"') ? field.IndexOf('"', 1) + 1 : field.IndexOf(' ', StringComparison.Ordinal);
                return $"{field[..split].Trim('"').ToLowerInvariant()}:{GlueType(field[split..])}";
            });
            return $"struct<{string.Join(",", fields)}>";
        }

        if (upper.StartsWith("MAP(", StringComparison.Ordinal))
        {
            var parts = SplitTop(type[4..^1]);
            return $"map<{GlueType(parts[0])},{GlueType(parts[1])}>";
        }

        if (upper.StartsWith("DECIMAL", StringComparison.Ordinal))
        {
            return type.ToLowerInvariant().Replace(" ", string.Empty, StringComparison.Ordinal);
        }

        return upper switch
        {
            "BIGINT" or "HUGEINT" or "UBIGINT" or "UINTEGER" => "bigint",
            "INTEGER" or "USMALLINT" => "int",
            "SMALLINT" or "UTINYINT" => "smallint",
            "TINYINT" => "tinyint",
            "DOUBLE" => "double",
            "FLOAT" or "REAL" => "float",
            "BOOLEAN" => "boolean",
            "DATE" => "date",
            "BLOB" => "binary",
            _ when upper.StartsWith("TIMESTAMP", StringComparison.Ordinal) => "timestamp",
            _ => "string",
        };
    }

    private static List<string> SplitTop(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '"':
                    quoted = !quoted;
                    break;
                case '(' when !quoted:
                    depth++;
                    break;
                case ')' when !quoted:
                    depth--;
                    break;
                case ',' when !quoted && depth == 0:
                    parts.Add(text[start..i]);
                    start = i + 1;
                    break;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }

    private static List<string> PartitionKeys(string folder, IReadOnlyList<string> files)
    {
        var keys = new List<string>();
        foreach (var file in files)
        {
            foreach (var part in Path.GetRelativePath(folder, file).Replace('\\', '/').Split('/')[..^1])
            {
                var equals = part.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0 && !keys.Contains(part[..equals], StringComparer.Ordinal))
                {
                    keys.Add(part[..equals]);
                }
            }
        }

        return keys;
    }

    private static async Task<CsvOptions> SniffAsync(DuckDbEngine engine, string file, CancellationToken cancellationToken)
    {
        try
        {
            var sniffed = await engine.QueryAsync($"SELECT Delimiter, Quote, Escape, HasHeader FROM sniff_csv({SqlDialect.DuckDb.String(file)})", cancellationToken);
            var row = sniffed.Rows[0];
            string Char(object? value, string fallback) => value is string s && s.Length == 1 ? s : fallback;
            return new CsvOptions(Header: row[3] is not false, Delimiter: Char(row[0], ","), Quote: Char(row[1], "\""), Escape: Char(row[2], "\""));
        }
        catch (QueryFailedException)
        {
            return new CsvOptions();
        }
    }
}
