using System.Collections.Concurrent;
using GluePipeline.Jobs;
using GluePipeline.Data;

namespace GluePipeline.Catalog;

/// <summary>
/// A table of the Glue Data Catalog as a job sees it: where its files are, their format, and its
/// partition keys.
/// </summary>
/// <param name="Database">The database.</param>
/// <param name="Name">The table.</param>
/// <param name="Location">The S3 location (<c>s3://bucket/prefix/</c>).</param>
/// <param name="Format">The format of its files (the table's classification).</param>
public sealed record CatalogTable(string Database, string Name, string Location, FileFormat Format)
{
    /// <summary>Partition keys, in order.</summary>
    public IReadOnlyList<string> PartitionKeys { get; init; } = [];

    /// <summary>CSV settings (the SerDe's field delimiter, quote, escape; header when skip.header.line.count is 1).</summary>
    public CsvOptions Csv { get; init; } = new();

    /// <summary>The partition values registered, each as key to value.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Partitions { get; init; } = [];

    /// <summary>For a table of a database (a JDBC crawler's): the Glue connection it is read through; <see cref="Location"/> is then <c>database.schema.table</c>.</summary>
    public string? ConnectionName { get; init; }
}

/// <summary>
/// The Glue Data Catalog, as jobs use it: look a table up, and register the partitions a run wrote.
/// The local stack implements it over its local catalog; the aws lane over Glue's API.
/// </summary>
public interface IGlueCatalog
{
    /// <summary>The table, or null when it does not exist.</summary>
    Task<CatalogTable?> GetTableAsync(string database, string table, CancellationToken cancellationToken);

    /// <summary>Registers partitions of a table (those already registered are left as they are).</summary>
    Task AddPartitionsAsync(string database, string table, IReadOnlyList<IReadOnlyDictionary<string, string>> partitions, CancellationToken cancellationToken);
}

/// <summary>A catalog held in memory: for tests, and for RunJob's catalog sources and sinks.</summary>
public sealed class InMemoryGlueCatalog : IGlueCatalog
{
    private readonly ConcurrentDictionary<(string, string), CatalogTable> _tables = new();

    /// <summary>Adds or replaces a table.</summary>
    public InMemoryGlueCatalog Add(CatalogTable table)
    {
        _tables[(table.Database.ToLowerInvariant(), table.Name.ToLowerInvariant())] = table;
        return this;
    }

    /// <inheritdoc/>
    public Task<CatalogTable?> GetTableAsync(string database, string table, CancellationToken cancellationToken) =>
        Task.FromResult(_tables.GetValueOrDefault((database.ToLowerInvariant(), table.ToLowerInvariant())));

    /// <inheritdoc/>
    public Task AddPartitionsAsync(string database, string table, IReadOnlyList<IReadOnlyDictionary<string, string>> partitions, CancellationToken cancellationToken)
    {
        var key = (database.ToLowerInvariant(), table.ToLowerInvariant());
        if (!_tables.TryGetValue(key, out var existing))
        {
            throw new InvalidOperationException($"The catalog has no table {database}.{table}");
        }

        var known = existing.Partitions.Select(Key).ToHashSet(StringComparer.Ordinal);
        _tables[key] = existing with { Partitions = [.. existing.Partitions, .. partitions.Where(p => known.Add(Key(p)))] };
        return Task.CompletedTask;
    }

    private static string Key(IReadOnlyDictionary<string, string> partition) => string.Join("/", partition.Select(p => $"{p.Key}={p.Value}"));
}
