using System.Text.Json;
using System.Text.Json.Serialization;
using GluePipeline.Data;
using GluePipeline.Jobs;

namespace GluePipeline.Catalog;

/// <summary>A column of a catalog table, with its Glue (Hive) type, e.g. <c>bigint</c>, <c>struct&lt;a:int&gt;</c>.</summary>
/// <param name="Name">The column's name.</param>
/// <param name="Type">Its Glue type.</param>
public sealed record CatalogColumn(string Name, string Type);

/// <summary>A database of the local catalog with its tables.</summary>
public sealed class LocalDatabase
{
    /// <summary>The database's name.</summary>
    public required string Name { get; init; }

    /// <summary>Its description.</summary>
    public string? Description { get; init; }

    /// <summary>Its tables by name (lowercase).</summary>
    public Dictionary<string, LocalTable> Tables { get; init; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>A table of the local catalog: what a crawler or the template made of some files.</summary>
public sealed class LocalTable
{
    /// <summary>The table's name.</summary>
    public required string Name { get; init; }

    /// <summary>The S3 location of its files.</summary>
    public required string Location { get; set; }

    /// <summary>The file format (Glue's classification).</summary>
    public required FileFormat Format { get; set; }

    /// <summary>The data columns.</summary>
    public List<CatalogColumn> Columns { get; set; } = [];

    /// <summary>The partition columns, in folder order.</summary>
    public List<CatalogColumn> PartitionKeys { get; set; } = [];

    /// <summary>Registered partitions (key to value).</summary>
    public List<Dictionary<string, string>> Partitions { get; set; } = [];

    /// <summary>CSV settings of the SerDe.</summary>
    public CsvOptions Csv { get; set; } = new();

    /// <summary>Who made it: "crawler:&lt;name&gt;", "template:&lt;logical id&gt;" or "job:&lt;name&gt;".</summary>
    public string? CreatedBy { get; set; }

    /// <summary>For a table of a database: the Glue connection (the location is then <c>database.schema.table</c>).</summary>
    public string? ConnectionName { get; set; }

    /// <summary>Glue's classification for a database table (postgresql, mysql), or null for files.</summary>
    public string? Classification { get; set; }

    /// <summary>The table as jobs see it.</summary>
    public CatalogTable ToCatalogTable(string database) =>
        new(database, Name, Location, Format) { PartitionKeys = PartitionKeys.Select(k => k.Name).ToArray(), Csv = Csv, Partitions = Partitions, ConnectionName = ConnectionName };
}

/// <summary>
/// The local lane's Glue Data Catalog: databases and tables kept in one JSON file of the stack's
/// state folder, so every target of a run (and <c>livetests/</c>) sees the same catalog.
/// </summary>
public sealed class LocalGlueCatalog : IGlueCatalog
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly string _path;
    private readonly Dictionary<string, LocalDatabase> _databases;
    private readonly Lock _lock = new();

    private LocalGlueCatalog(string path, Dictionary<string, LocalDatabase> databases)
    {
        _path = path;
        _databases = databases;
    }

    /// <summary>The databases by name.</summary>
    public IReadOnlyDictionary<string, LocalDatabase> Databases => _databases;

    /// <summary>Opens (or starts) the catalog kept in a file.</summary>
    public static LocalGlueCatalog Open(string path)
    {
        var databases = File.Exists(path)
            ? JsonSerializer.Deserialize<Dictionary<string, LocalDatabase>>(File.ReadAllText(path), Json) ?? []
            : [];
        return new LocalGlueCatalog(path, new Dictionary<string, LocalDatabase>(databases, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>Creates a database (an existing one is kept).</summary>
    public LocalDatabase CreateDatabase(string name, string? description = null)
    {
        lock (_lock)
        {
            if (!_databases.TryGetValue(name, out var database))
            {
                database = new LocalDatabase { Name = name, Description = description };
                _databases[name] = database;
                Save();
            }

            return database;
        }
    }

    /// <summary>Adds or replaces a table.</summary>
    public void PutTable(string database, LocalTable table)
    {
        lock (_lock)
        {
            if (!_databases.TryGetValue(database, out var db))
            {
                throw new InvalidOperationException($"The catalog has no database {database}");
            }

            db.Tables[table.Name] = table;
            Save();
        }
    }

    /// <summary>A table, or null.</summary>
    public LocalTable? Table(string database, string table) =>
        _databases.TryGetValue(database, out var db) && db.Tables.TryGetValue(table, out var t) ? t : null;

    /// <inheritdoc/>
    public Task<CatalogTable?> GetTableAsync(string database, string table, CancellationToken cancellationToken) =>
        Task.FromResult(Table(database, table)?.ToCatalogTable(database));

    /// <inheritdoc/>
    public Task AddPartitionsAsync(string database, string table, IReadOnlyList<IReadOnlyDictionary<string, string>> partitions, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var t = Table(database, table) ?? throw new InvalidOperationException($"The catalog has no table {database}.{table}");
            var known = t.Partitions.Select(Key).ToHashSet(StringComparer.Ordinal);
            foreach (var partition in partitions)
            {
                var copy = new Dictionary<string, string>(partition, StringComparer.Ordinal);
                if (known.Add(Key(copy)))
                {
                    t.Partitions.Add(copy);
                }
            }

            Save();
        }

        return Task.CompletedTask;
    }

    private static string Key(IReadOnlyDictionary<string, string> partition) => string.Join("/", partition.Select(p => $"{p.Key}={p.Value}"));

    private void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var temp = _path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(_databases, Json));
        File.Move(temp, _path, overwrite: true);
    }
}
