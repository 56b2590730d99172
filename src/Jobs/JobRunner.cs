using System.Globalization;
using System.Text.RegularExpressions;
using System.Data.Common;
using DuckDB.NET.Data;
using GluePipeline.Catalog;
using GluePipeline.Data;
using GluePipeline.Data.Jdbc;
using GluePipeline.Diagnostics;

namespace GluePipeline.Jobs;

/// <summary>How a job run is carried out on this machine.</summary>
/// <param name="Buckets">Where S3 buckets are (a folder per bucket).</param>
/// <param name="StateDirectory">Where bookmarks are kept (one folder per stack).</param>
public sealed record JobRunOptions(LocalBuckets Buckets, string StateDirectory)
{
    /// <summary>Job arguments, as Glue would pass them (name to value).</summary>
    public IReadOnlyDictionary<string, string> Arguments { get; init; } = new Dictionary<string, string>();

    /// <summary>Where to say the arguments came from in errors (e.g. <c>--arg</c>).</summary>
    public string ArgumentSource { get; init; } = "arguments";

    /// <summary>The Glue catalog for catalog sources and sinks.</summary>
    public IGlueCatalog? Catalog { get; init; }

    /// <summary>DuckDB's settings (memory limit, threads, spill folder).</summary>
    public DuckDbOptions? DuckDb { get; init; }

    /// <summary>The run's id (default: time and a random suffix); output files carry it.</summary>
    public string? RunId { get; init; }

    /// <summary>The clock.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Where each Glue connection leads in this run, by connection name (JDBC sources and sinks).</summary>
    public IReadOnlyDictionary<string, JdbcEndpoint> Connections { get; init; } = new Dictionary<string, JdbcEndpoint>(StringComparer.Ordinal);

    /// <summary>Where to say connections come from in errors (e.g. <c>--connection</c>, or the template).</summary>
    public string ConnectionSource { get; init; } = "--connection name=postgres://user:password@host:port/database";
}

/// <summary>What one source gave a run.</summary>
/// <param name="Source">The source (its view name).</param>
/// <param name="Location">Where it was read (S3 location, or <c>jdbc:connection/table</c>).</param>
/// <param name="Files">Input files read (0 for a database).</param>
/// <param name="SkippedFiles">Input files the bookmark skipped as already processed.</param>
/// <param name="Rows">Rows read (after the push-down predicate and the bookmark).</param>
public sealed record SourceRead(string Source, string Location, int Files, int SkippedFiles, long Rows);

/// <summary>The outcome of a job run.</summary>
/// <param name="Job">The job.</param>
/// <param name="RunId">The run's id.</param>
/// <param name="Sources">Per source, what was read.</param>
/// <param name="RowsWritten">Rows written to the sink.</param>
/// <param name="Output">The sink's S3 location, or <c>jdbc:connection/table</c>.</param>
/// <param name="OutputPath">The sink's local folder (empty for a table).</param>
/// <param name="Format">The sink's format (null for a table).</param>
/// <param name="FilesWritten">Files this run added, relative to the output folder.</param>
/// <param name="Duration">How long the run took.</param>
public sealed record JobRunResult(string Job, string RunId, IReadOnlyList<SourceRead> Sources, long RowsWritten, string Output, string OutputPath, FileFormat? Format, IReadOnlyList<string> FilesWritten, TimeSpan Duration)
{
    /// <summary>For a JDBC sink: where the rows went (the serving database and table) and how.</summary>
    public JdbcOutput? Table { get; init; }

    /// <summary>Why nothing was written (no new input), or null when the run wrote.</summary>
    public string? NothingToDo { get; init; }

    /// <summary>Rows read over all sources.</summary>
    public long RowsRead => Sources.Sum(s => s.Rows);
}

/// <summary>What a JDBC sink wrote.</summary>
/// <param name="Endpoint">The connection and the database that serves it.</param>
/// <param name="Table">The table in that database.</param>
/// <param name="Write">Rows written, whether the table was created, rows replaced, the loader.</param>
public sealed record JdbcOutput(JdbcEndpoint Endpoint, JdbcTable Table, JdbcWriteResult Write)
{
    /// <summary>The table as a database URI (with the password: to hand to the validator, never to print).</summary>
    public string DatasetUri => Endpoint.DatasetUri(Table);
}

/// <summary>A job run that failed on its data or environment (not on its spec): the output is as it was.</summary>
public sealed class JobFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JobFailedException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public JobFailedException()
        : this("The job failed")
    {
    }

    /// <summary>Creates the exception.</summary>
    public JobFailedException(string message)
        : this(message, null)
    {
    }
}

/// <summary>
/// The local runtime of declarative jobs on an embedded DuckDB: each source becomes a view over its
/// files (S3 mapped to folders), the transform runs once, streaming, straight into the sink's files
/// (nothing passes through .NET), and the output is committed atomically: a run that fails leaves
/// the previous output and bookmark exactly as they were. The generic PySpark script runs the same
/// spec on Glue.
/// </summary>
public sealed partial class JobRunner(JobRunOptions options)
{
    private const string StagingFolder = ".pipeline-staging";

    /// <summary>Runs a job.</summary>
    public async Task<JobRunResult> RunAsync(JobSpec spec, CancellationToken cancellationToken)
    {
        var time = options.Time ?? TimeProvider.System;
        var started = time.GetTimestamp();
        var runId = options.RunId ?? $"{time.GetUtcNow():yyyyMMddTHHmmss}-{Guid.NewGuid().ToString("N")[..8]}";
        var values = JobArguments.Resolve(spec, options.Arguments, options.ArgumentSource);
        spec = spec.WithCatalogNames(values);
        var sql = Transform(spec, values);
        var store = new BookmarkStore(options.StateDirectory);
        var bookmark = spec.Bookmark is null ? new BookmarkState() : await store.LoadAsync(spec.Name, cancellationToken);
        var target = spec.Sink.Jdbc is { } sinkTable ? ResolveTable(spec, sinkTable, spec.Sink.Location, values)
            : spec.Sink.Catalog is { } sinkCatalog && options.Catalog is not null && await options.Catalog.GetTableAsync(sinkCatalog.Database, sinkCatalog.Table, cancellationToken) is { ConnectionName: { } sinkConnection } jdbcTable
                ? ResolveTable(spec, new JdbcRef(sinkConnection, jdbcTable.Location, null), spec.Sink.Location, values)
                : null;
        var sink = target is null ? await ResolveSinkAsync(spec, values, cancellationToken) : null;

        await using var engine = await DuckDbEngine.OpenAsync(options.DuckDb, cancellationToken);
        var inputs = new List<Input>();
        foreach (var source in spec.Sources)
        {
            inputs.Add(await RegisterAsync(engine, spec, source, values, bookmark, cancellationToken));
        }

        var bookmarked = spec.Bookmark is null ? null : inputs.Single(i => i.Source.Name == spec.Bookmark.Source);
        var (output, outputPath, outputFormat) = target is { } t ? (t.Location, string.Empty, (FileFormat?)null) : (sink!.Location, sink.Path, sink.Format);
        if (bookmarked is { Files.Count: 0, Rows: null })
        {
            var unread = inputs.Select(i => new SourceRead(i.Source.Name, i.Location, i.Files.Count, i.Skipped, 0)).ToArray();
            return new JobRunResult(spec.Name, runId, unread, 0, output, outputPath, outputFormat, [], time.GetElapsedTime(started))
            {
                NothingToDo = $"no new input files for {bookmarked.Source.Name} since the last run (bookmark); the output is as it was",
            };
        }

        var columns = await DescribeAsync(engine, spec, sql, cancellationToken);
        var missingKeys = (sink?.PartitionKeys ?? spec.Sink.MergeKeys).Where(k => !columns.Contains(k, StringComparer.OrdinalIgnoreCase)).ToArray();
        if (missingKeys.Length > 0)
        {
            var what = sink is null ? "Merge key" : "Partition key";
            throw SpecError(spec.Sink.Location, $"{what}{(missingKeys.Length > 1 ? "s" : string.Empty)} {string.Join(", ", missingKeys)} {(missingKeys.Length > 1 ? "are not columns" : "is not a column")} of {spec.TransformPath}'s result (it has {string.Join(", ", columns)})", sink is null ? "select the key columns in transform.sql, or fix mergeKeys" : "select the partition columns in transform.sql, or fix partitionKeys");
        }

        var reads = new List<SourceRead>();
        foreach (var input in inputs)
        {
            var rows = input.Rows ?? (input.Files.Count == 0 ? 0 : Convert.ToInt64(await Scalar(engine, $"SELECT COUNT(*) FROM {Quote(input.Source.Name)}", cancellationToken), CultureInfo.InvariantCulture));
            reads.Add(new SourceRead(input.Source.Name, input.Location, input.Files.Count, input.Skipped, rows));
        }

        if (bookmarked is not null && reads.Single(r => r.Source == bookmarked.Source.Name).Rows == 0)
        {
            return new JobRunResult(spec.Name, runId, reads, 0, output, outputPath, outputFormat, [], time.GetElapsedTime(started))
            {
                NothingToDo = $"no new rows in {bookmarked.Source.Name} since the last run (bookmark{(spec.Bookmark!.Column is { } c ? $" on {c}" : string.Empty)}); the output is as it was",
            };
        }

        var newMark = await ColumnMarkAsync(engine, spec, bookmarked, cancellationToken);
        if (target is not null)
        {
            var written = await WriteTableAsync(engine, spec, target, sql, cancellationToken);
            if (bookmarked is not null)
            {
                await store.SaveAsync(spec.Name, Advance(bookmark, bookmarked, newMark, runId, time), cancellationToken);
            }

            return new JobRunResult(spec.Name, runId, reads, written.Write.Rows, output, outputPath, outputFormat, [], time.GetElapsedTime(started)) { Table = written };
        }

        return await WriteFilesAsync(engine, spec, sink!, sql, reads, bookmark, bookmarked, newMark, store, runId, started, cancellationToken);
    }

    private async Task<JobRunResult> WriteFilesAsync(DuckDbEngine engine, JobSpec spec, ResolvedSink sink, string sql, IReadOnlyList<SourceRead> reads, BookmarkState bookmark, Input? bookmarked, ColumnMark? newMark, BookmarkStore store, string runId, long started, CancellationToken cancellationToken)
    {
        var time = options.Time ?? TimeProvider.System;
        var staging = Path.Combine(options.Buckets.BucketFolder(LocalBuckets.BucketOf(sink.Location)), StagingFolder, runId);
        long written;
        IReadOnlyList<string> files;
        try
        {
            Directory.CreateDirectory(staging);
            written = await WriteAsync(engine, spec, sink, sql, staging, runId, cancellationToken);
            files = Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(staging, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();
            Commit(staging, sink.Path, sink.Mode, runId);
        }
        finally
        {
            RemoveStaging(staging);
        }

        if (spec.Sink.Catalog is { } table && options.Catalog is { } catalog && sink.PartitionKeys.Count > 0)
        {
            await catalog.AddPartitionsAsync(table.Database, table.Table, Partitions(files), cancellationToken);
        }

        if (bookmarked is not null)
        {
            await store.SaveAsync(spec.Name, Advance(bookmark, bookmarked, newMark, runId, time), cancellationToken);
        }

        return new JobRunResult(spec.Name, runId, reads, written, sink.Location, sink.Path, sink.Format, files, time.GetElapsedTime(started));
    }

    /// <summary>The transform's SQL with the arguments filled in (lines stay where they are, so errors point at the file).</summary>
    private static string Transform(JobSpec spec, IReadOnlyDictionary<string, string> values)
    {
        var text = File.ReadAllText(spec.FullPath(spec.TransformPath));
        return JobArguments.Substitute(text, values).TrimEnd().TrimEnd(';').TrimEnd();
    }

    private sealed record Input(JobSource Source, string Location, IReadOnlyList<string> Files, IReadOnlyList<string> Keys, int Skipped, string? ColumnType)
    {
        /// <summary>Rows read from a database (null for files).</summary>
        public long? Rows { get; init; }
    }

    /// <summary>A table or query of a JDBC source or sink, in the database that serves its connection.</summary>
    internal sealed record ResolvedTable(JdbcEndpoint Endpoint, JdbcTable? Table, string? Query, string Location);

    private ResolvedTable ResolveTable(JobSpec spec, JdbcRef reference, SourceLocation location, IReadOnlyDictionary<string, string> values) =>
        ResolveTable(options.Connections, options.ConnectionSource, spec, reference, location, values);

    /// <summary>A JDBC reference in the database that serves its connection in this run (the runner's and the fixtures' one way to find it).</summary>
    internal static ResolvedTable ResolveTable(IReadOnlyDictionary<string, JdbcEndpoint> connections, string connectionSource, JobSpec spec, JdbcRef reference, SourceLocation location, IReadOnlyDictionary<string, string> values)
    {
        var name = JobArguments.Substitute(reference.Connection, values);
        if (!connections.TryGetValue(name, out var endpoint))
        {
            var known = connections.Keys.Order(StringComparer.Ordinal).ToArray();
            throw SpecError(location, $"Job {spec.Name} uses Glue connection '{name}', which this run does not have{(known.Length == 0 ? string.Empty : $" (it has {string.Join(", ", known)})")}",
                known.Length > 0 && Documents.DocumentParser.Closest(name, known) is { } closest ? $"did you mean {closest}?" : $"define an AWS::Glue::Connection named {name} in the template, or give it with {connectionSource}");
        }

        if (reference.Table is { } text)
        {
            var table = JdbcTable.TryParse(JobArguments.Substitute(text, values))
                ?? throw SpecError(location, $"'{JobArguments.Substitute(text, values)}' is not a table name", "write table or schema.table");
            return new ResolvedTable(endpoint, endpoint.Resolve(table), null, $"jdbc:{name}/{table}");
        }

        return new ResolvedTable(endpoint, null, endpoint.Resolve(JobArguments.Substitute(reference.Query!, values)), $"jdbc:{name}/(query)");
    }

    /// <summary>
    /// A JDBC source: its rows are copied into a DuckDB table named after the source (streamed, in
    /// parallel partitions with hashfield/hashexpression; DuckDB spills to disk under its memory
    /// limit). A column bookmark filters in the source database, so only new rows travel.
    /// </summary>
    private async Task<Input> RegisterTableAsync(DuckDbEngine engine, JobSpec spec, JobSource source, IReadOnlyDictionary<string, string> values, BookmarkState bookmark, CancellationToken cancellationToken)
    {
        var resolved = ResolveTable(spec, source.Jdbc!, source.Location, values);
        var dialect = resolved.Endpoint.Database.Kind == DatabaseKind.MySql ? SqlDialect.MySql : SqlDialect.PostgreSql;
        var (table, query) = (resolved.Table, resolved.Query);
        var bookmarkColumn = spec.Bookmark is { Kind: BookmarkKind.Column } b && b.Source == source.Name ? b.Column : null;
        if (bookmarkColumn is not null && bookmark.Sources.TryGetValue(source.Name, out var state) && state.Column is { } high)
        {
            var from = table is not null ? table.Render(dialect) : $"({query}) dq_source";
            (table, query) = (null, $"SELECT * FROM {from} WHERE {dialect.Identifier(bookmarkColumn)} > {dialect.String(high.Max)}");
        }

        var read = new JdbcRead(resolved.Endpoint.Database, table, query)
        {
            HashField = source.HashField is { } field ? JobArguments.Substitute(field, values) : null,
            HashExpression = source.HashExpression is { } expression ? JobArguments.Substitute(expression, values) : null,
            HashPartitions = source.HashPartitions ?? 7,
        };
        JdbcReadResult result;
        try
        {
            result = await JdbcReader.ReadIntoAsync((DuckDBConnection)engine.Connection, source.Name, read, cancellationToken);
        }
        catch (Exception ex) when (ex is QueryFailedException or DbException or System.Net.Sockets.SocketException or TimeoutException)
        {
            var message = ex is QueryFailedException q ? q.EngineMessage : ex.Message;
            throw new JobFailedException($"Source '{source.Name}' ({resolved.Location} on {resolved.Endpoint.Database}) cannot be read: {FirstLine(message)}", ex);
        }

        string? columnType = null;
        if (bookmarkColumn is not null)
        {
            columnType = result.Columns.FirstOrDefault(c => c.Name.Equals(bookmarkColumn, StringComparison.OrdinalIgnoreCase))?.Type
                ?? throw SpecError(spec.Bookmark!.Location, $"The bookmark column '{bookmarkColumn}' is not a column of source '{source.Name}' (it has {string.Join(", ", result.Columns.Select(c => c.Name))})", "name a column that only grows, e.g. an id or an updated_at timestamp");
        }

        if (source.UnderscoreNames)
        {
            foreach (var column in result.Columns.Where(c => Whitespace().IsMatch(c.Name)))
            {
                await engine.ExecuteAsync($"ALTER TABLE {Quote(source.Name)} RENAME COLUMN {Quote(column.Name)} TO {Quote(Underscored(column.Name))}", cancellationToken);
            }
        }

        return new Input(source, resolved.Location, [], [], 0, columnType) { Rows = result.Rows };
    }

    /// <summary>A JDBC sink: the transform streams from DuckDB into the table, in one transaction (a failed write changes nothing).</summary>
    private static async Task<JdbcOutput> WriteTableAsync(DuckDbEngine engine, JobSpec spec, ResolvedTable target, string sql, CancellationToken cancellationToken)
    {
        var mode = spec.Sink.Mode switch { WriteMode.Append => JdbcWriteMode.Append, WriteMode.Merge => JdbcWriteMode.Merge, _ => JdbcWriteMode.Overwrite };
        var write = new JdbcWrite(target.Endpoint.Database, target.Table!, mode) { MergeKeys = spec.Sink.MergeKeys };
        try
        {
            return new JdbcOutput(target.Endpoint, target.Table!, await JdbcWriter.WriteAsync((DuckDBConnection)engine.Connection, sql, write, cancellationToken));
        }
        catch (JdbcWriteException ex)
        {
            throw new JobFailedException($"Writing {target.Location} failed: {ex.Message}. Fix: {ex.Fix}. The table is as it was.", ex);
        }
        catch (QueryFailedException ex) when (ex.Engine == "duckdb")
        {
            var diagnostic = SqlDiagnostic(spec, ex.EngineMessage, lineOffset: 0);
            throw new JobFailedException($"{diagnostic}{Environment.NewLine}The run failed while writing; table {target.Table} is as it was.", ex);
        }
        catch (Exception ex) when (ex is QueryFailedException or DbException or System.Net.Sockets.SocketException or TimeoutException)
        {
            var message = ex is QueryFailedException q ? q.EngineMessage : ex.Message;
            throw new JobFailedException($"Writing {target.Location} ({target.Endpoint.Database}) failed: {FirstLine(message)}. The table is as it was.", ex);
        }
    }

    private sealed record ResolvedSink(string Location, string Path, FileFormat Format, IReadOnlyList<string> PartitionKeys, string? Compression, WriteMode Mode, CsvOptions Csv);

    private async Task<ResolvedSink> ResolveSinkAsync(JobSpec spec, IReadOnlyDictionary<string, string> values, CancellationToken cancellationToken)
    {
        var sink = spec.Sink;
        if (sink.Catalog is { } reference)
        {
            var table = await TableAsync(spec, reference, sink.Location, cancellationToken);
            if (sink.PartitionKeys.Count > 0 && !sink.PartitionKeys.SequenceEqual(table.PartitionKeys, StringComparer.OrdinalIgnoreCase))
            {
                throw SpecError(sink.Location, $"The sink's partitionKeys ({string.Join(", ", sink.PartitionKeys)}) differ from catalog table {reference}'s ({string.Join(", ", table.PartitionKeys)})", "leave partitionKeys out for a catalog sink (the table's are used), or make them the same");
            }

            return new ResolvedSink(table.Location, options.Buckets.PathOf(table.Location), table.Format, table.PartitionKeys, sink.Compression, sink.Mode, table.Csv);
        }

        var location = JobArguments.Substitute(sink.S3Path!, values);
        return new ResolvedSink(location, options.Buckets.PathOf(location), sink.Format!.Value, sink.PartitionKeys, sink.Compression, sink.Mode, sink.Csv);
    }

    private async Task<CatalogTable> TableAsync(JobSpec spec, CatalogRef reference, SourceLocation location, CancellationToken cancellationToken)
    {
        if (options.Catalog is null)
        {
            throw SpecError(location, $"Job {spec.Name} uses catalog table {reference}, but this run has no catalog", "run it in a stack (DeployLiveTest), or read the files with s3: and format:");
        }

        return await options.Catalog.GetTableAsync(reference.Database, reference.Table, cancellationToken)
            ?? throw SpecError(location, $"The catalog has no table {reference}", "run the crawler that creates it first (or define it in the template), or fix database/table");
    }

    private async Task<Input> RegisterAsync(DuckDbEngine engine, JobSpec spec, JobSource source, IReadOnlyDictionary<string, string> values, BookmarkState bookmark, CancellationToken cancellationToken)
    {
        if (source.Jdbc is not null)
        {
            return await RegisterTableAsync(engine, spec, source, values, bookmark, cancellationToken);
        }

        if (source.Catalog is { } catalogTable && options.Catalog is not null && await options.Catalog.GetTableAsync(catalogTable.Database, catalogTable.Table, cancellationToken) is { ConnectionName: { } connection } databaseTable)
        {
            // A table a JDBC crawler cataloged: read through its connection (location database.schema.table).
            return await RegisterTableAsync(engine, spec, source with { Jdbc = new JdbcRef(connection, databaseTable.Location, null) }, values, bookmark, cancellationToken);
        }

        string location;
        FileFormat format;
        var csv = source.Csv;
        if (source.Catalog is { } reference)
        {
            var table = await TableAsync(spec, reference, source.Location, cancellationToken);
            (location, format, csv) = (table.Location, source.Format ?? table.Format, source.Format is null ? table.Csv : source.Csv);
        }
        else
        {
            (location, format) = (JobArguments.Substitute(source.S3Path!, values), source.Format!.Value);
        }

        var folder = options.Buckets.PathOf(location);
        var all = ListFiles(folder);
        var byFiles = spec.Bookmark is { Kind: BookmarkKind.Files } b && b.Source == source.Name;
        var seen = byFiles && bookmark.Sources.TryGetValue(source.Name, out var mark) ? mark.Files.ToHashSet(StringComparer.Ordinal) : [];
        if (source.PushDownPredicate is { } pushDown && all.Length > 0)
        {
            all = await PruneAsync(engine, source, folder, all, JobArguments.Substitute(pushDown, values), cancellationToken);
        }

        var keys = all.Select(f => Key(location, folder, f)).ToArray();
        var files = all.Where((f, i) => !seen.Contains(keys[i])).ToArray();
        var fresh = keys.Where(k => !seen.Contains(k)).ToArray();
        if (all.Length == 0 && spec.Bookmark?.Source != source.Name)
        {
            throw SpecError(source.Location, $"Source '{source.Name}' has no input files at {location} (here: {folder})", "write the input first (RunJob writes the job's fixtures), or check the path and the arguments");
        }

        string? columnType = null;
        if (files.Length > 0)
        {
            var filters = new List<string>();
            if (source.PushDownPredicate is { } predicate)
            {
                filters.Add($"({JobArguments.Substitute(predicate, values)})");
            }

            if (spec.Bookmark is { Kind: BookmarkKind.Column } column && column.Source == source.Name &&
                bookmark.Sources.TryGetValue(source.Name, out var state) && state.Column is { } high)
            {
                filters.Add($"{Quote(column.Column!)} > CAST({SqlString(high.Max)} AS {high.Type})");
            }

            var relation = Relation(format, files, csv, source.Json, CsvBufferSize(options.DuckDb));
            try
            {
                if (source.UnderscoreNames)
                {
                    relation = await UnderscoredAsync(engine, relation, cancellationToken);
                }

                var view = $"CREATE VIEW {Quote(source.Name)} AS SELECT * FROM {relation}{(filters.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", filters))}";
                await engine.ExecuteAsync(view, cancellationToken);
            }
            catch (QueryFailedException ex)
            {
                throw source.PushDownPredicate is not null && ex.EngineMessage.Contains("Binder Error", StringComparison.Ordinal)
                    ? SpecError(source.Location, $"Source '{source.Name}': pushDownPredicate does not fit its columns: {FirstLine(ex.EngineMessage)}", "filter on partition columns (e.g. year = 2016) of the source")
                    : new JobFailedException($"Source '{source.Name}' ({location}) cannot be read as {format.ToString().ToLowerInvariant()}: {FirstLine(ex.EngineMessage)}", ex);
            }

            if (spec.Bookmark is { Kind: BookmarkKind.Column } c && c.Source == source.Name)
            {
                var described = await engine.QueryAsync($"DESCRIBE {Quote(source.Name)}", cancellationToken);
                columnType = described.Rows.FirstOrDefault(r => string.Equals((string?)r[0], c.Column, StringComparison.OrdinalIgnoreCase))?[1] as string
                    ?? throw SpecError(c.Location, $"The bookmark column '{c.Column}' is not a column of source '{source.Name}' (it has {string.Join(", ", described.Rows.Select(r => r[0]))})", "name a column that only grows, e.g. an id or an updated_at timestamp");
            }
        }

        return new Input(source, location, files, fresh, all.Length - files.Length, columnType);
    }

    /// <summary>A column name with each run of white space as one underscore (the Step Functions post's rename).</summary>
    internal static string Underscored(string name) => Whitespace().Replace(name, "_");

    /// <summary>A relation whose columns with white space in their names are renamed with underscores.</summary>
    private static async Task<string> UnderscoredAsync(DuckDbEngine engine, string relation, CancellationToken cancellationToken)
    {
        var columns = (await engine.QueryAsync($"DESCRIBE SELECT * FROM {relation}", cancellationToken)).Rows.Select(r => (string)r[0]!).ToArray();
        return $"(SELECT {string.Join(", ", columns.Select(c => $"{Quote(c)} AS {Quote(Underscored(c))}"))} FROM {relation}) dq_named";
    }

    /// <summary>
    /// Glue's push-down predicate: the predicate is evaluated on the partition values in the files'
    /// paths (<c>year=2016/month=1/</c>, typed as DuckDB's hive reader types them), and files of
    /// other partitions are never opened.
    /// </summary>
    private static async Task<string[]> PruneAsync(DuckDbEngine engine, JobSource source, string folder, string[] files, string predicate, CancellationToken cancellationToken)
    {
        var partitions = files.Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/').Split('/')[..^1].Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToArray()).ToArray();
        var names = partitions.SelectMany(p => p.Select(kv => kv[0])).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        if (names.Length == 0)
        {
            throw SpecError(source.Location, $"Source '{source.Name}' has a pushDownPredicate but its files are not in partition folders (key=value/)", "remove pushDownPredicate, or filter in transform.sql");
        }

        string Literal(string name, string? value)
        {
            if (value is null || value == "__HIVE_DEFAULT_PARTITION__")
            {
                return "NULL";
            }

            var all = partitions.SelectMany(p => p.Where(kv => kv[0].Equals(name, StringComparison.OrdinalIgnoreCase)).Select(kv => kv[1])).ToArray();
            return all.All(v => long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)) ? value
                : all.All(v => DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)) ? $"DATE {SqlString(value)}"
                : SqlString(Uri.UnescapeDataString(value));
        }

        var rows = partitions.Select((p, i) => "(" + string.Join(", ", [i.ToString(CultureInfo.InvariantCulture), .. names.Select(n => Literal(n, p.FirstOrDefault(kv => kv[0].Equals(n, StringComparison.OrdinalIgnoreCase))?[1]))]) + ")");
        var sql = $"SELECT dq_file FROM (VALUES {string.Join(", ", rows)}) dq_partitions(dq_file, {string.Join(", ", names.Select(Quote))}) WHERE {predicate}";
        try
        {
            var kept = await engine.QueryAsync(sql, cancellationToken);
            return kept.Rows.Select(r => files[Convert.ToInt32(r[0], CultureInfo.InvariantCulture)]).ToArray();
        }
        catch (QueryFailedException ex)
        {
            throw SpecError(source.Location, $"Source '{source.Name}': pushDownPredicate \"{predicate}\" cannot be evaluated on its partitions ({string.Join(", ", names)}): {FirstLine(ex.EngineMessage)}", "a push-down predicate may use only partition columns, e.g. year = 2016 AND month >= 6");
        }
    }

    /// <summary>The table function that reads files of a format, with hive partition columns when the paths have them.</summary>
    private static string Relation(FileFormat format, IReadOnlyList<string> files, CsvOptions csv, JsonOptions json, long? csvBuffer)
    {
        var list = "[" + string.Join(", ", files.Select(SqlString)) + "]";
        var hive = files.Any(f => HivePart().IsMatch(f.Replace('\\', '/'))) ? "true" : "false";
        switch (format)
        {
            case FileFormat.Csv:
                return $"read_csv({list}, header = {(csv.Header ? "true" : "false")}, delim = {SqlString(csv.Delimiter)}, quote = {SqlString(csv.Quote)}, escape = {SqlString(csv.Escape)}, " +
                       $"nullstr = {SqlString(csv.Null)}, hive_partitioning = {hive}, union_by_name = true{(csvBuffer is { } size ? $", buffer_size = {size}" : string.Empty)})";
            case FileFormat.Json:
                var layout = json.Layout switch { JsonLayout.Lines => "newline_delimited", JsonLayout.Array => "array", _ => "auto" };
                var read = $"read_json({list}, format = '{layout}', hive_partitioning = {hive}, union_by_name = true)";
                return json.Unnest is { } field ? $"(SELECT unnest(dq_item) FROM (SELECT unnest({Quote(field)}) AS dq_item FROM {read}))" : read;
            default:
                return $"read_parquet({list}, hive_partitioning = {hive}, union_by_name = true)";
        }
    }

    /// <summary>
    /// DuckDB's CSV reader holds two buffers of 32 MB per thread by default; under a memory limit
    /// they are sized to a sixteenth of it (1 MB to 32 MB), so a small limit still streams.
    /// </summary>
    private static long? CsvBufferSize(DuckDbOptions? duckDb)
    {
        if (duckDb?.MemoryLimit is not { } limit || SizeText().Match(limit.Trim()) is not { Success: true } match)
        {
            return null;
        }

        var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = match.Groups[2].Value.ToUpperInvariant().TrimEnd('B').TrimEnd('I');
        var bytes = number * unit switch { "K" => 1024d, "M" => 1024d * 1024, "G" => 1024d * 1024 * 1024, "T" => 1024d * 1024 * 1024 * 1024, _ => 1d };
        return (long)Math.Clamp(bytes / 16, 1024 * 1024, 32 * 1024 * 1024);
    }

    /// <summary>Binds the transform without running it: a mistake points at its line in transform.sql.</summary>
    private static async Task<IReadOnlyList<string>> DescribeAsync(DuckDbEngine engine, JobSpec spec, string sql, CancellationToken cancellationToken)
    {
        try
        {
            var result = await engine.QueryAsync("DESCRIBE\n" + sql, cancellationToken);
            return result.Rows.Select(r => (string)r[0]!).ToArray();
        }
        catch (QueryFailedException ex)
        {
            throw new PipelineInputException(SqlDiagnostic(spec, ex.EngineMessage, lineOffset: 1));
        }
    }

    private async Task<ColumnMark?> ColumnMarkAsync(DuckDbEngine engine, JobSpec spec, Input? input, CancellationToken cancellationToken)
    {
        if (input is null || spec.Bookmark is not { Kind: BookmarkKind.Column } bookmark)
        {
            return null;
        }

        var max = await Scalar(engine, $"SELECT CAST(MAX({Quote(bookmark.Column!)}) AS VARCHAR) FROM {Quote(input.Source.Name)}", cancellationToken);
        return max is null ? null : new ColumnMark(bookmark.Column!, input.ColumnType!, (string)max);
    }

    private static async Task<long> WriteAsync(DuckDbEngine engine, JobSpec spec, ResolvedSink sink, string sql, string staging, string runId, CancellationToken cancellationToken)
    {
        var extension = sink.Format switch { FileFormat.Csv => ".csv", FileFormat.Json => ".json", _ => ".parquet" };
        var codec = sink.Compression ?? (sink.Format == FileFormat.Parquet ? "snappy" : "none");
        var copyOptions = new List<string> { $"FORMAT {sink.Format.ToString().ToLowerInvariant()}" };
        if (codec is not "none")
        {
            copyOptions.Add($"COMPRESSION {(codec == "uncompressed" ? "uncompressed" : codec)}");
            extension += codec switch { "gzip" when sink.Format != FileFormat.Parquet => ".gz", "zstd" when sink.Format != FileFormat.Parquet => ".zst", _ => string.Empty };
        }

        if (sink.Format == FileFormat.Csv)
        {
            copyOptions.Add($"HEADER {(sink.Csv.Header ? "true" : "false")}, DELIMITER {SqlString(sink.Csv.Delimiter)}, QUOTE {SqlString(sink.Csv.Quote)}, ESCAPE {SqlString(sink.Csv.Escape)}, NULLSTR {SqlString(sink.Csv.Null)}");
        }

        var name = $"part-{runId}";
        try
        {
            if (sink.PartitionKeys.Count == 0)
            {
                return await engine.ExecuteAsync($"COPY (\n{sql}\n) TO {SqlString(Path.Combine(staging, name + "-0" + extension))} ({string.Join(", ", copyOptions)})", cancellationToken);
            }

            if (sink.Format != FileFormat.Json)
            {
                var keys = string.Join(", ", sink.PartitionKeys.Select(Quote));
                return await engine.ExecuteAsync($"COPY (\n{sql}\n) TO {SqlString(staging)} ({string.Join(", ", copyOptions)}, PARTITION_BY ({keys}), FILENAME_PATTERN '{name}-{{i}}')", cancellationToken);
            }

            // DuckDB cannot partition JSON output: run the transform once into a (spillable) table, then write each partition.
            await engine.ExecuteAsync($"CREATE TEMP TABLE dq_output AS\n{sql}", cancellationToken);
            var partitions = await engine.QueryAsync($"SELECT DISTINCT {string.Join(", ", sink.PartitionKeys.Select(k => $"CAST({Quote(k)} AS VARCHAR)"))} FROM dq_output", cancellationToken);
            long total = 0;
            foreach (var row in partitions.Rows)
            {
                var folder = Path.Combine([staging, .. sink.PartitionKeys.Select((k, i) => $"{k}={row[i] ?? "__HIVE_DEFAULT_PARTITION__"}")]);
                Directory.CreateDirectory(folder);
                var where = string.Join(" AND ", sink.PartitionKeys.Select((k, i) => row[i] is null ? $"{Quote(k)} IS NULL" : $"CAST({Quote(k)} AS VARCHAR) = {SqlString((string)row[i]!)}"));
                total += await engine.ExecuteAsync($"COPY (SELECT * EXCLUDE ({string.Join(", ", sink.PartitionKeys.Select(Quote))}) FROM dq_output WHERE {where}) TO {SqlString(Path.Combine(folder, name + "-0" + extension))} ({string.Join(", ", copyOptions)})", cancellationToken);
            }

            return total;
        }
        catch (QueryFailedException ex)
        {
            var diagnostic = SqlDiagnostic(spec, ex.EngineMessage, lineOffset: 1);
            throw new JobFailedException($"{diagnostic}{Environment.NewLine}The run failed while writing; the previous output is untouched.", ex);
        }
    }

    /// <summary>Moves the staged files into place: overwrite swaps the whole folder, append adds the (uniquely named) files.</summary>
    private static void Commit(string staging, string target, WriteMode mode, string runId)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(target))!);
        if (mode == WriteMode.Overwrite)
        {
            var previous = staging + ".previous";
            var hadPrevious = Directory.Exists(target);
            if (hadPrevious)
            {
                Directory.Move(target, previous);
            }

            try
            {
                Directory.Move(staging, target);
            }
            catch
            {
                if (hadPrevious)
                {
                    Directory.Move(previous, target);
                }

                throw;
            }

            if (hadPrevious)
            {
                Directory.Delete(previous, recursive: true);
            }

            return;
        }

        var moved = new List<(string From, string To)>();
        try
        {
            foreach (var file in Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories).ToArray())
            {
                var destination = Path.Combine(target, Path.GetRelativePath(staging, file));
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Move(file, destination, overwrite: false);
                moved.Add((file, destination));
            }
        }
        catch
        {
            foreach (var (from, to) in moved)
            {
                File.Move(to, from, overwrite: true);
            }

            throw new JobFailedException($"Appending the output of run {runId} failed; the files already moved were taken back");
        }
    }

    private static void RemoveStaging(string staging)
    {
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        var parent = Path.GetDirectoryName(staging)!;
        if (Directory.Exists(parent) && !Directory.EnumerateFileSystemEntries(parent).Any())
        {
            Directory.Delete(parent);
        }
    }

    private static BookmarkState Advance(BookmarkState state, Input input, ColumnMark? mark, string runId, TimeProvider time)
    {
        var sources = new Dictionary<string, SourceBookmark>(state.Sources, StringComparer.Ordinal);
        var previous = sources.GetValueOrDefault(input.Source.Name) ?? new SourceBookmark();
        sources[input.Source.Name] = input.ColumnType is not null
            ? previous with { Column = mark ?? previous.Column }
            : previous with { Files = [.. previous.Files, .. input.Keys] };
        return new BookmarkState { Sources = sources, RunId = runId, UpdatedAt = time.GetUtcNow() };
    }

    private static IReadOnlyList<IReadOnlyDictionary<string, string>> Partitions(IReadOnlyList<string> files) =>
        files.Select(f => f.Split('/')[..^1].Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]), StringComparer.Ordinal))
            .Where(p => p.Count > 0)
            .DistinctBy(p => string.Join("/", p.Select(kv => kv.Key + "=" + kv.Value)))
            .Select(p => (IReadOnlyDictionary<string, string>)p)
            .ToArray();

    /// <summary>Input files under a prefix, in a stable order; hidden and marker files (<c>.x</c>, <c>_SUCCESS</c>, <c>*.crc</c>) are not data.</summary>
    private static string[] ListFiles(string folder) => File.Exists(folder) ? [folder] : LocalBuckets.DataFiles(folder);

    private static string Key(string location, string folder, string file) =>
        location.TrimEnd('/') + "/" + Path.GetRelativePath(folder, file).Replace('\\', '/');

    private static async Task<object?> Scalar(DuckDbEngine engine, string sql, CancellationToken cancellationToken)
    {
        try
        {
            var result = await engine.QueryAsync(sql, cancellationToken);
            return result.Rows.Count == 0 ? null : result.Rows[0][0];
        }
        catch (QueryFailedException ex)
        {
            throw new JobFailedException($"Reading the input failed: {FirstLine(ex.EngineMessage)}", ex);
        }
    }

    /// <summary>A DuckDB error as a finding in transform.sql (line and column from DuckDB's LINE n and caret).</summary>
    internal static Diagnostic SqlDiagnostic(JobSpec spec, string message, int lineOffset) =>
        SqlDiagnostic(spec.Display(spec.TransformPath), spec.Sources, message, lineOffset, "JOB-SQL");

    /// <summary>A DuckDB error as a finding in a SQL file of a job.</summary>
    internal static Diagnostic SqlDiagnostic(string display, IReadOnlyList<JobSource> sources, string message, int lineOffset, string rule)
    {
        var lines = message.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n');
        var location = new SourceLocation(display);
        var at = Array.FindIndex(lines, l => LinePrefix().IsMatch(l));
        if (at >= 0)
        {
            var match = LinePrefix().Match(lines[at]);
            var line = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) - lineOffset;
            var caret = at + 1 < lines.Length ? lines[at + 1].IndexOf('^', StringComparison.Ordinal) : -1;
            var column = caret >= match.Length ? caret - match.Length + 1 : 0;
            location = line >= 1 ? new SourceLocation(display, line, column) : location;
        }

        var text = string.Join(" ", lines.TakeWhile(l => !LinePrefix().IsMatch(l)).Where(l => l.Trim().Length > 0)).Trim();
        var kind = text.Split(':')[0];
        var fix = kind switch
        {
            "Catalog Error" => sources.Count == 0 ? "name only tables the query creates" : $"the sources are views named {string.Join(", ", sources.Select(s => s.Name))}",
            "Parser Error" => "fix the SQL syntax (one SELECT; Spark SQL and DuckDB both accept standard SQL)",
            "Binder Error" => "check the column and function names against the sources' columns",
            _ => "check the values the statement works on",
        };
        return Diagnostic.Error(location, rule, text.TrimEnd('.', '!'), fix);
    }

    private static PipelineInputException SpecError(SourceLocation location, string message, string fix) =>
        new(Diagnostic.Error(location, "JOB-SPEC", message, fix));

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    private static string Quote(string identifier) => SqlDialect.DuckDb.Identifier(identifier);

    private static string SqlString(string value) => SqlDialect.DuckDb.String(value);

    [GeneratedRegex(@"^([0-9.]+)\s*([KMGT]?i?B?)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SizeText();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^LINE (\d+): ", RegexOptions.CultureInvariant)]
    private static partial Regex LinePrefix();

    [GeneratedRegex(@"/[^/=]+=[^/]*/", RegexOptions.CultureInvariant)]
    private static partial Regex HivePart();
}
