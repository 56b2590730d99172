using GluePipeline.Data;
using GluePipeline.Jobs;

namespace GluePipeline.Catalog;

/// <summary>
/// The local lane's "Athena": a DuckDB in which every table of the local catalog is a view named
/// <c>"database"."table"</c> over its files, so the queries a live test sends to Athena -
/// <c>SELECT count(*) FROM "nytaxiparquet_livetest"."green"</c> - run unchanged, through the same
/// <see cref="IQueryEngine"/> the validation engine uses. Partition columns are strings, as Athena
/// sees Glue's crawled partitions.
/// </summary>
public static class LocalAthena
{
    /// <summary>Opens a DuckDB with a view per catalog table.</summary>
    public static async Task<DuckDbEngine> OpenAsync(LocalGlueCatalog catalog, LocalBuckets buckets, CancellationToken cancellationToken)
    {
        var engine = await DuckDbEngine.OpenAsync(null, cancellationToken);
        try
        {
            foreach (var database in catalog.Databases.Values)
            {
                var schema = SqlDialect.DuckDb.Identifier(database.Name);
                await engine.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {schema}", cancellationToken);
                // A table of a database (a JDBC crawler's) is not queryable by Athena without a federated
                // connector; it is read through its connection instead.
                foreach (var table in database.Tables.Values.Where(t => t.ConnectionName is null))
                {
                    await engine.ExecuteAsync($"CREATE OR REPLACE VIEW {schema}.{SqlDialect.DuckDb.Identifier(table.Name)} AS {Relation(table, buckets)}", cancellationToken);
                }
            }

            return engine;
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }
    }

    /// <summary>The SELECT a table's view is: its files, or no rows with its columns when it has none yet.</summary>
    public static string Relation(LocalTable table, LocalBuckets buckets)
    {
        var folder = buckets.PathOf(table.Location);
        var files = LocalBuckets.DataFiles(folder).Where(f => LocalCrawler.FormatOf(f) == table.Format).ToArray();
        if (files.Length == 0)
        {
            var columns = table.Columns.Concat(table.PartitionKeys).Select(c => $"CAST(NULL AS {DuckDbType(c.Type)}) AS {SqlDialect.DuckDb.Identifier(c.Name)}");
            return $"SELECT {string.Join(", ", columns.DefaultIfEmpty("NULL AS empty"))} WHERE false";
        }

        return $"SELECT * FROM {LocalCrawler.Read(table.Format, files, table.Csv, hive: table.PartitionKeys.Count > 0)}";
    }

    private static string DuckDbType(string glueType) => glueType.ToLowerInvariant() switch
    {
        "bigint" => "BIGINT",
        "int" => "INTEGER",
        "smallint" => "SMALLINT",
        "tinyint" => "TINYINT",
        "double" => "DOUBLE",
        "float" => "FLOAT",
        "boolean" => "BOOLEAN",
        "date" => "DATE",
        "timestamp" => "TIMESTAMP",
        var t when t.StartsWith("decimal", StringComparison.Ordinal) => t.ToUpperInvariant(),
        _ => "VARCHAR",
    };
}
