using System.Text.RegularExpressions;
using GluePipeline.Data;
using GluePipeline.Data.Jdbc;

namespace GluePipeline.Catalog;

/// <summary>A crawler's JDBC target (<c>Targets.JdbcTargets</c>).</summary>
/// <param name="ConnectionName">The Glue connection it crawls through.</param>
/// <param name="Path">The include path: <c>database/schema/table</c> (PostgreSQL, Redshift) or <c>database/table</c> (MySQL), <c>%</c> matching any run of characters, e.g. <c>glue_demo/public/cfs_full</c> or <c>glue_demo/public/%</c>.</param>
/// <param name="Exclusions">Paths (same shape, <c>%</c> or <c>*</c> as wildcards) left out.</param>
public sealed record JdbcCrawlTarget(string ConnectionName, string Path, IReadOnlyList<string> Exclusions);

/// <summary>
/// The local crawler for JDBC targets: lists the tables of the database that serves the connection
/// whose <c>database/schema/table</c> path matches the include path (and no exclusion), and catalogs
/// each as Glue does: named <c>&lt;prefix&gt;database_schema_table</c>, location <c>database.schema.table</c>,
/// classification postgresql or mysql, the connection's name, and the columns in Glue's types.
/// </summary>
public static class LocalJdbcCrawler
{
    /// <summary>Crawls one JDBC target into the catalog.</summary>
    /// <param name="crawler">The crawler (its database, table prefix and update behaviour; its S3 targets are not used here).</param>
    /// <param name="target">The JDBC target.</param>
    /// <param name="endpoint">The database that serves the target's connection.</param>
    /// <param name="catalog">The catalog to fill.</param>
    /// <param name="cancellationToken">Cancels the crawl.</param>
    public static async Task<IReadOnlyList<CrawledTable>> CrawlAsync(CrawlerDefinition crawler, JdbcCrawlTarget target, JdbcEndpoint endpoint, LocalGlueCatalog catalog, CancellationToken cancellationToken)
    {
        var mysql = endpoint.Database.Kind == DatabaseKind.MySql;
        var parts = target.Path.Trim('/').Split('/');
        if (parts.Length != (mysql ? 2 : 3) || parts.Any(p => p.Length == 0))
        {
            throw new ArgumentException($"The include path '{target.Path}' of crawler {crawler.Name} is not {(mysql ? "database/table" : "database/schema/table")} (connection {target.ConnectionName} is {(mysql ? "MySQL" : "PostgreSQL")}); write e.g. {(mysql ? "glue_demo/%" : "glue_demo/public/%")}", nameof(target));
        }

        var logical = endpoint.LogicalDatabase ?? endpoint.Database.Database;
        var results = new List<CrawledTable>();
        if (!Matches(parts[0], logical))
        {
            return [new CrawledTable($"{target.Path}", $"no data: connection {target.ConnectionName} is database {logical}", 0, 0)];
        }

        catalog.CreateDatabase(crawler.Database);
        await using var engine = await AdoQueryEngine.ConnectAsync(endpoint.Database, cancellationToken);
        var listing = mysql
            ? "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME"
            : "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg_temp%' ORDER BY table_schema, table_name";
        var tables = (await engine.QueryAsync(listing, cancellationToken)).Rows.Select(r => (Schema: (string)r[0]!, Name: (string)r[1]!)).ToArray();
        foreach (var (schema, name) in tables)
        {
            // The path speaks of the connection's database (glue_demo); in MySQL its tables live in the per-run database.
            var path = mysql ? $"{logical}/{name}" : $"{logical}/{schema}/{name}";
            if (!Matches(target.Path.Trim('/'), path) || target.Exclusions.Any(e => Matches(e.Trim('/'), path)))
            {
                continue;
            }

            var table = new JdbcTable(schema, name);
            var columns = await JdbcReader.ColumnsAsync(engine, table, cancellationToken);
            var catalogName = LocalCrawler.TableName(crawler.TablePrefix + (mysql ? $"{logical}_{name}" : $"{logical}_{schema}_{name}"));
            var existing = catalog.Table(crawler.Database, catalogName);
            var action = existing is null ? "created" : crawler.UpdateInDatabase ? "updated" : "unchanged (schema change logged)";
            if (existing is null || crawler.UpdateInDatabase)
            {
                catalog.PutTable(crawler.Database, new LocalTable
                {
                    Name = catalogName,
                    Location = mysql ? $"{logical}.{name}" : $"{logical}.{schema}.{name}",
                    Format = FileFormat.Parquet,
                    Columns = columns.Select(c => new CatalogColumn(c.Name.ToLowerInvariant(), LocalCrawler.GlueType(c.Type))).ToList(),
                    ConnectionName = target.ConnectionName,
                    Classification = endpoint.Engine switch { JdbcEngine.MySql => "mysql", JdbcEngine.Redshift => "redshift", _ => "postgresql" },
                    CreatedBy = existing?.CreatedBy ?? $"crawler:{crawler.Name}",
                });
            }

            results.Add(new CrawledTable(catalogName, action, 0, 0));
        }

        return results.Count > 0 ? results : [new CrawledTable(target.Path, "no data: no table matches", 0, 0)];
    }

    /// <summary>Whether a path matches an include or exclude pattern (<c>%</c> and <c>*</c> match any run of characters within a part; case-insensitive).</summary>
    public static bool Matches(string pattern, string path) =>
        Regex.IsMatch(path, "^" + string.Concat(pattern.Select(c => c is '%' or '*' ? "[^/]*" : Regex.Escape(c.ToString()))) + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}
