using GluePipeline.Data;
using GluePipeline.Diagnostics;

namespace GluePipeline.Jobs;

/// <summary>What a sink does with what is already there.</summary>
public enum WriteMode
{
    /// <summary>Replace the whole output (atomically: readers see the old or the new, never a mix).</summary>
    Overwrite,

    /// <summary>Add new files next to the existing ones (uniquely named per run), or rows to a table.</summary>
    Append,

    /// <summary>JDBC sinks: rows whose merge keys match are replaced, the others inserted (one transaction).</summary>
    Merge,
}

/// <summary>How a bookmark remembers what was processed.</summary>
public enum BookmarkKind
{
    /// <summary>Input files already read are skipped (Glue's job bookmarks on S3).</summary>
    Files,

    /// <summary>Rows whose monotonic column is not above the last maximum are skipped.</summary>
    Column,
}

/// <summary>How JSON input is laid out.</summary>
public enum JsonLayout
{
    /// <summary>Detected per file.</summary>
    Auto,

    /// <summary>One object per line (JSON lines).</summary>
    Lines,

    /// <summary>A top-level array of objects.</summary>
    Array,
}

/// <summary>CSV reading and writing options (Glue's <c>format_options</c> for csv).</summary>
/// <param name="Header">Whether the first line holds the column names.</param>
/// <param name="Delimiter">The field separator (one character).</param>
/// <param name="Quote">The quote character.</param>
/// <param name="Escape">The character that escapes a quote inside a quoted field.</param>
/// <param name="Null">The text that means NULL.</param>
public sealed record CsvOptions(bool Header = true, string Delimiter = ",", string Quote = "\"", string Escape = "\"", string Null = "");

/// <summary>JSON reading options.</summary>
/// <param name="Layout">Lines, array or auto.</param>
/// <param name="Unnest">A top-level array field whose elements become the rows (e.g. <c>features</c>), or null.</param>
public sealed record JsonOptions(JsonLayout Layout = JsonLayout.Auto, string? Unnest = null);

/// <summary>A table of the Glue Data Catalog.</summary>
public sealed record CatalogRef(string Database, string Table)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Database}.{Table}";
}

/// <summary>A table or query of a database, through a Glue connection.</summary>
/// <param name="Connection">The Glue connection's name (<c>ConnectionInput.Name</c>; may hold <c>${...}</c>).</param>
/// <param name="Table">The table (<c>schema.table</c>), or null for a query.</param>
/// <param name="Query">A query (sources only), or null for a table.</param>
public sealed record JdbcRef(string Connection, string? Table, string? Query)
{
    /// <inheritdoc/>
    public override string ToString() => $"jdbc:{Connection}/{Table ?? "(query)"}";
}

/// <summary>A declared job argument (<c>--name value</c> on Glue) and its default.</summary>
/// <param name="Name">The name, used as <c>${name}</c>.</param>
/// <param name="Default">The default value, or null when the argument must be given.</param>
/// <param name="Location">Where it is declared.</param>
public sealed record JobArgument(string Name, string? Default, SourceLocation Location);

/// <summary>An input of a job, registered as a view named <see cref="Name"/> for the transform.</summary>
public sealed record JobSource(string Name, SourceLocation Location)
{
    /// <summary>The S3 prefix read (with <c>${...}</c> placeholders), or null for a catalog or JDBC source.</summary>
    public string? S3Path { get; init; }

    /// <summary>The catalog table read, or null for an S3 or JDBC source.</summary>
    public CatalogRef? Catalog { get; init; }

    /// <summary>The database table or query read, or null for an S3 or catalog source.</summary>
    public JdbcRef? Jdbc { get; init; }

    /// <summary>Glue's <c>hashfield</c>: a column whose hash splits a JDBC read into parallel partitions.</summary>
    public string? HashField { get; init; }

    /// <summary>Glue's <c>hashexpression</c>: a numeric expression whose range splits a JDBC read.</summary>
    public string? HashExpression { get; init; }

    /// <summary>Glue's <c>hashpartitions</c>: how many parallel reads (default 7, as Glue's).</summary>
    public int? HashPartitions { get; init; }

    /// <summary>The format (required for S3 sources; a catalog table knows its own).</summary>
    public FileFormat? Format { get; init; }

    /// <summary>CSV options.</summary>
    public CsvOptions Csv { get; init; } = new();

    /// <summary>JSON options.</summary>
    public JsonOptions Json { get; init; } = new();

    /// <summary>A filter on partition columns applied while reading (Glue's <c>push_down_predicate</c>): pruned partitions are never read.</summary>
    public string? PushDownPredicate { get; init; }

    /// <summary>Whether column names with white space get underscores instead (<c>Forecasted Monthly Revenue</c> becomes <c>Forecasted_Monthly_Revenue</c>).</summary>
    public bool UnderscoreNames { get; init; }
}

/// <summary>Where a job writes.</summary>
public sealed record JobSink(SourceLocation Location)
{
    /// <summary>The S3 prefix written, or null for a catalog or JDBC sink.</summary>
    public string? S3Path { get; init; }

    /// <summary>The catalog table written, or null for an S3 or JDBC sink.</summary>
    public CatalogRef? Catalog { get; init; }

    /// <summary>The database table written, or null for an S3 or catalog sink.</summary>
    public JdbcRef? Jdbc { get; init; }

    /// <summary>The key columns of <see cref="WriteMode.Merge"/>.</summary>
    public IReadOnlyList<string> MergeKeys { get; init; } = [];

    /// <summary>The format (required for S3 sinks).</summary>
    public FileFormat? Format { get; init; }

    /// <summary>Columns that become hive partition folders (<c>year=2016/month=1/</c>), in order.</summary>
    public IReadOnlyList<string> PartitionKeys { get; init; } = [];

    /// <summary>The compression codec, or null for the format's default (snappy for Parquet, none for text).</summary>
    public string? Compression { get; init; }

    /// <summary>Overwrite, append or (JDBC) merge.</summary>
    public WriteMode Mode { get; init; }

    /// <summary>CSV options for a CSV sink.</summary>
    public CsvOptions Csv { get; init; } = new();
}

/// <summary>Incremental processing of one source.</summary>
/// <param name="Source">The source it applies to.</param>
/// <param name="Kind">Files or column.</param>
/// <param name="Column">The monotonic column for <see cref="BookmarkKind.Column"/>.</param>
/// <param name="Location">Where it is declared.</param>
public sealed record JobBookmark(string Source, BookmarkKind Kind, string? Column, SourceLocation Location);

/// <summary>How the input of one source is produced for tests and the LiveTest stack.</summary>
/// <param name="Source">The source.</param>
/// <param name="SqlPath">A DuckDB query (relative to the job folder) whose rows are written in the source's format; a <c>_file</c> column splits them into files.</param>
/// <param name="FilesPath">A folder (relative to the job folder) copied as it is.</param>
/// <param name="Format">The format to write; needed for catalog sources.</param>
/// <param name="Location">Where it is declared.</param>
public sealed record JobFixture(string Source, string? SqlPath, string? FilesPath, FileFormat? Format, SourceLocation Location)
{
    /// <summary>For a JDBC source that reads a query: the table the fixture fills (a table source's fixture fills its table).</summary>
    public string? Table { get; init; }

    /// <summary>Rows at full scale; the query reads the scaled number as <c>${rows}</c>. Null when the query makes a fixed number.</summary>
    public long? Rows { get; init; }

    /// <summary>The rows at a scale (at least one), or null when the fixture has no row count.</summary>
    public long? RowsAt(double scale) => Rows is { } rows ? Math.Max(1, (long)Math.Round(rows * scale, MidpointRounding.AwayFromZero)) : null;
}

/// <summary>
/// A declarative Glue job: <c>jobs/&lt;name&gt;/job.yaml</c> with its <c>transform.sql</c>. One spec,
/// two runtimes: the DuckDB runtime here (JobRunner) and the generic PySpark script on
/// Glue. Read with <see cref="JobSpecReader"/>.
/// </summary>
public sealed class JobSpec
{
    /// <summary>The job's name (its folder's name).</summary>
    public required string Name { get; init; }

    /// <summary>The job folder (full path).</summary>
    public required string Directory { get; init; }

    /// <summary>The job folder as shown in findings (e.g. <c>jobs/taxi</c>).</summary>
    public required string DisplayDirectory { get; init; }

    /// <summary>What the job does.</summary>
    public string? Description { get; init; }

    /// <summary>Declared arguments, in order.</summary>
    public IReadOnlyList<JobArgument> Arguments { get; init; } = [];

    /// <summary>The inputs, in order.</summary>
    public required IReadOnlyList<JobSource> Sources { get; init; }

    /// <summary>The transform's file, relative to the job folder.</summary>
    public string TransformPath { get; init; } = "transform.sql";

    /// <summary>The output.</summary>
    public required JobSink Sink { get; init; }

    /// <summary>Incremental settings, or null.</summary>
    public JobBookmark? Bookmark { get; init; }

    /// <summary>The rule file of the output, relative to the job folder, or null.</summary>
    public string? RulesPath { get; init; }

    /// <summary>Fixture generators by source.</summary>
    public IReadOnlyList<JobFixture> Fixtures { get; init; } = [];

    /// <summary>The display path of a file of the job (<c>jobs/taxi/transform.sql</c>).</summary>
    public string Display(string relativePath) => DisplayDirectory.Length == 0 ? relativePath : $"{DisplayDirectory}/{relativePath}";

    /// <summary>
    /// The spec with the argument values in its catalog names (<c>database: ${cfs_database}</c>),
    /// so the catalog is asked for the tables the run means. Other placeholders are filled where
    /// they are used.
    /// </summary>
    public JobSpec WithCatalogNames(IReadOnlyDictionary<string, string> values)
    {
        CatalogRef? Bind(CatalogRef? table) => table is null ? null : new CatalogRef(JobArguments.Substitute(table.Database, values), JobArguments.Substitute(table.Table, values));
        return new JobSpec
        {
            Name = Name,
            Directory = Directory,
            DisplayDirectory = DisplayDirectory,
            Description = Description,
            Arguments = Arguments,
            Sources = Sources.Select(s => s with { Catalog = Bind(s.Catalog) }).ToArray(),
            TransformPath = TransformPath,
            Sink = Sink with { Catalog = Bind(Sink.Catalog) },
            Bookmark = Bookmark,
            RulesPath = RulesPath,
            Fixtures = Fixtures,
        };
    }

    /// <summary>The full path of a file of the job.</summary>
    public string FullPath(string relativePath) => Path.GetFullPath(Path.Combine(Directory, relativePath));
}
