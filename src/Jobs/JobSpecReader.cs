using System.Globalization;
using System.Text.RegularExpressions;
using GluePipeline.Diagnostics;
using GluePipeline.Documents;
using GluePipeline.Data;

namespace GluePipeline.Jobs;

/// <summary>
/// Reads and checks <c>jobs/&lt;name&gt;/job.yaml</c>: every mistake is a finding with file:line:col
/// and the fix (Lint reports them all; RunJob and the runtimes refuse a spec that has any). The
/// shape is documented in <c>jobs/job.schema.json</c> and README ("Declarative jobs").
/// </summary>
public static partial class JobSpecReader
{
    /// <summary>The spec's file name in a job folder.</summary>
    public const string FileName = "job.yaml";

    /// <summary>Rule id of a mistake in a job spec.</summary>
    public const string Rule = "JOB-SPEC";

    internal static readonly string[] TopKeys = ["name", "description", "arguments", "sources", "transform", "sink", "bookmark", "rules", "fixtures"];
    internal static readonly string[] SourceKeys = ["s3", "catalog", "jdbc", "format", "csv", "json", "pushDownPredicate", "hashfield", "hashexpression", "hashpartitions", "underscoreNames"];
    internal static readonly string[] SinkKeys = ["s3", "catalog", "jdbc", "format", "partitionKeys", "compression", "mode", "mergeKeys", "csv"];
    internal static readonly string[] JdbcSourceKeys = ["connection", "table", "query"];
    internal static readonly string[] JdbcSinkKeys = ["connection", "table"];
    internal static readonly string[] CsvKeys = ["header", "delimiter", "quote", "escape", "null"];
    internal static readonly string[] JsonKeys = ["layout", "unnest"];
    internal static readonly string[] CatalogKeys = ["database", "table"];
    internal static readonly string[] BookmarkKeys = ["source", "by", "column"];
    internal static readonly string[] FixtureKeys = ["sql", "files", "format", "rows", "table"];
    private static readonly string[] Formats = ["csv", "json", "parquet"];

    /// <summary>Names a source cannot have: they would shadow SQL keywords or the validation engine's alias.</summary>
    private static readonly HashSet<string> ReservedNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "select", "from", "where", "group", "order", "by", "join", "on", "as", "and", "or", "not", "table", "union", "with", "primary", "values", "limit", "all", "case", "when",
    };

    /// <summary>Compression codecs per format.</summary>
    public static IReadOnlyDictionary<FileFormat, string[]> Codecs { get; } = new Dictionary<FileFormat, string[]>
    {
        [FileFormat.Parquet] = ["snappy", "gzip", "zstd", "uncompressed"],
        // Spark 3.3's text writers know none, gzip, bzip2, lz4, snappy and deflate; DuckDB's none, gzip and zstd.
        [FileFormat.Csv] = ["none", "gzip"],
        [FileFormat.Json] = ["none", "gzip"],
    };

    /// <summary>Reads a job folder's spec; a missing or malformed spec is a <see cref="PipelineInputException"/> with every finding.</summary>
    public static async Task<JobSpec> LoadAsync(string jobDirectory, string displayDirectory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(jobDirectory, FileName);
        var display = displayDirectory.Length == 0 ? FileName : $"{displayDirectory}/{FileName}";
        if (!File.Exists(path))
        {
            throw new PipelineInputException(Diagnostic.Error(new SourceLocation(display), Rule, $"{display} does not exist", "give the name of a folder under jobs/ that holds a job.yaml (NewJob --job=<name> creates one)"));
        }

        var parsed = DocumentParser.Parse(display, await File.ReadAllBytesAsync(path, cancellationToken), DocumentDialect.Plain);
        var (spec, findings) = Read(parsed, jobDirectory, displayDirectory);
        var errors = findings.Where(f => f.Severity == Severity.Error).ToArray();
        return errors.Length > 0 || spec is null ? throw new PipelineInputException(errors.Length > 0 ? errors : findings.ToArray()) : spec;
    }

    /// <summary>Reads a parsed spec; the findings say what is wrong (with the files it names checked on disk).</summary>
    public static (JobSpec? Spec, IReadOnlyList<Diagnostic> Findings) Read(ParsedDocument document, string jobDirectory, string displayDirectory)
    {
        var reader = new Reader(document.Path, jobDirectory, displayDirectory);
        reader.Findings.AddRange(document.Diagnostics);
        if (document.Root is null)
        {
            return (null, reader.Findings);
        }

        var spec = reader.Read(document.Root);
        return (reader.Findings.Any(f => f.Severity == Severity.Error) ? null : spec, reader.Findings);
    }

    private sealed class Reader(string path, string jobDirectory, string displayDirectory)
    {
        private readonly HashSet<string> _declared = new(StringComparer.Ordinal);

        public List<Diagnostic> Findings { get; } = [];

        private string JobName => Path.GetFileName(Path.TrimEndingDirectorySeparator(jobDirectory));

        public JobSpec? Read(DocumentNode root)
        {
            if (root is not MappingNode map)
            {
                Error(root, "A job spec must be a mapping of sources, transform, sink, ...", "start from NewJob --job=<name>, or see jobs/job.schema.json");
                return null;
            }

            Keys(map, TopKeys, "a job spec");
            if (map["name"] is { } nameNode && Text(nameNode, "name") is { } name && name != JobName)
            {
                Error(nameNode, $"The job is named '{name}' but its folder is '{JobName}'", $"name the folder {name}, or write name: {JobName} (or leave name out)");
            }

            var arguments = Arguments(map.Entry("arguments"));
            foreach (var argument in arguments)
            {
                _declared.Add(argument.Name);
            }

            var sources = Sources(map, map.Entry("sources"));
            var transform = map["transform"] is { } transformNode ? Text(transformNode, "transform") : "transform.sql";
            if (transform is not null)
            {
                CheckTransform(map["transform"] ?? map, transform);
            }

            var sink = Sink(map, map.Entry("sink"));
            var bookmark = map.Entry("bookmark") is { } bookmarkEntry ? Bookmark(bookmarkEntry, sources) : null;
            var rules = map["rules"] is { } rulesNode ? RulesFile(rulesNode) : null;
            var fixtures = map.Entry("fixtures") is { } fixturesEntry ? Fixtures(fixturesEntry, sources) : [];
            foreach (var source in sources.Where(s => s.Jdbc is not null))
            {
                if (fixtures.FirstOrDefault(f => f.Source == source.Name) is { FilesPath: not null } fixture)
                {
                    Findings.Add(Diagnostic.Error(fixture.Location, Rule, $"The fixture of JDBC source '{source.Name}' copies files, but the source reads a table", "make its rows with sql: fixtures/<name>.sql (they fill the table)"));
                }
            }

            foreach (var source in sources.Where(s => s.Catalog is not null))
            {
                if (fixtures.FirstOrDefault(f => f.Source == source.Name) is { Format: null } fixture)
                {
                    Findings.Add(Diagnostic.Error(fixture.Location, Rule, $"The fixture of catalog source '{source.Name}' needs a format (the catalog table is not there when fixtures are written)", "add format: csv, json or parquet to the fixture"));
                }
            }

            if (sink is null || sources.Count == 0 || transform is null)
            {
                return null;
            }

            return new JobSpec
            {
                Name = JobName,
                Directory = jobDirectory,
                DisplayDirectory = displayDirectory,
                Description = map["description"] is { } d ? Text(d, "description") : null,
                Arguments = arguments,
                Sources = sources,
                TransformPath = transform,
                Sink = sink,
                Bookmark = bookmark,
                RulesPath = rules,
                Fixtures = fixtures,
            };
        }

        private List<JobArgument> Arguments(MappingEntry? entry)
        {
            var result = new List<JobArgument>();
            if (entry is null)
            {
                return result;
            }

            if (entry.Value is not MappingNode map)
            {
                Error(entry.Value, "arguments must map each argument's name to its default", "write e.g. arguments: {raw_bucket: my-raw-bucket, day: ~} (~ for an argument that must be given)");
                return result;
            }

            foreach (var item in map.Entries)
            {
                if (!ArgumentName().IsMatch(item.Key))
                {
                    Findings.Add(Diagnostic.Error(item.KeyLocation, Rule, $"'{item.Key}' is not an argument name", "use letters, digits and _ (Glue passes it as --name)"));
                    continue;
                }

                if (JobArguments.GlueReserved.Contains(item.Key))
                {
                    Findings.Add(Diagnostic.Error(item.KeyLocation, Rule, $"'{item.Key}' is one of Glue's own arguments", "choose another name; ${JOB_NAME} can be used without declaring it"));
                    continue;
                }

                string? value = item.Value switch
                {
                    ScalarNode { Kind: ScalarKind.Null } => null,
                    ScalarNode scalar => scalar.Value,
                    _ => Invalid<string>(item.Value, $"The default of argument '{item.Key}' must be a single value", $"write {item.Key}: <value>, or {item.Key}: ~ when it must be given"),
                };
                result.Add(new JobArgument(item.Key, value, item.KeyLocation));
            }

            return result;
        }

        private List<JobSource> Sources(MappingNode root, MappingEntry? entry)
        {
            var result = new List<JobSource>();
            if (entry is null)
            {
                Error(root, "A job needs sources", "add sources: with at least one named input, e.g. sources: {trips: {s3: s3://bucket/trips/, format: csv}}");
                return result;
            }

            if (entry.Value is not MappingNode map || map.Entries.Count == 0)
            {
                Error(entry.Value, "sources must map each source's name (its view in transform.sql) to where it is read", "write e.g. sources: {trips: {s3: s3://bucket/trips/, format: csv}}");
                return result;
            }

            foreach (var item in map.Entries)
            {
                if (!Identifier().IsMatch(item.Key) || ReservedNames.Contains(item.Key))
                {
                    Findings.Add(Diagnostic.Error(item.KeyLocation, Rule, $"'{item.Key}' cannot name a source: it becomes a view in transform.sql", "use letters, digits and _ and not an SQL keyword, e.g. trips"));
                    continue;
                }

                if (item.Value is not MappingNode source)
                {
                    Error(item.Value, $"Source '{item.Key}' must be a mapping", $"write {item.Key}: {{s3: s3://bucket/prefix/, format: csv}} or {item.Key}: {{catalog: {{database: raw, table: {item.Key}}}}}");
                    continue;
                }

                Keys(source, SourceKeys, $"source '{item.Key}'");
                var (s3, catalog, jdbc) = Location(source, item.Key, $"source '{item.Key}'", sink: false);
                var format = source["format"] is { } f ? Format(f) : null;
                if (s3 is not null && format is null && source["format"] is null)
                {
                    Error(source, $"Source '{item.Key}' reads S3 but has no format", "add format: csv, json or parquet");
                }

                var csv = source.Entry("csv") is { } csvEntry ? Csv(csvEntry) : new CsvOptions();
                if (source.Entry("csv") is { } c && format is not null and not FileFormat.Csv)
                {
                    Findings.Add(Diagnostic.Error(c.KeyLocation, Rule, $"csv: options on a {format.Value.ToString().ToLowerInvariant()} source", "remove them, or set format: csv"));
                }

                var json = source.Entry("json") is { } jsonEntry ? Json(jsonEntry) : new JsonOptions();
                if (source.Entry("json") is { } j && format is not null and not FileFormat.Json)
                {
                    Findings.Add(Diagnostic.Error(j.KeyLocation, Rule, $"json: options on a {format.Value.ToString().ToLowerInvariant()} source", "remove them, or set format: json"));
                }

                var predicate = source["pushDownPredicate"] is { } p ? Text(p, "pushDownPredicate") : null;
                if (jdbc is not null)
                {
                    foreach (var key in new[] { "format", "csv", "json", "pushDownPredicate" }.Where(k => source.Entry(k) is not null))
                    {
                        Findings.Add(Diagnostic.Error(source.Entry(key)!.KeyLocation, Rule, $"{key} does not apply to JDBC source '{item.Key}' (rows come typed from the database)", key == "pushDownPredicate" ? "filter with query: SELECT ... WHERE ..., or in transform.sql" : $"remove {key}:"));
                    }
                }

                var (hashField, hashExpression, hashPartitions) = Hash(source, item.Key, jdbc is not null || catalog is not null);
                var underscore = source["underscoreNames"] is { } u && Boolean(u, "underscoreNames") == true;
                result.Add(new JobSource(item.Key, item.KeyLocation)
                {
                    S3Path = s3, Catalog = catalog, Jdbc = jdbc, Format = format, Csv = csv, Json = json, PushDownPredicate = predicate,
                    HashField = hashField, HashExpression = hashExpression, HashPartitions = hashPartitions, UnderscoreNames = underscore,
                });
            }

            return result;
        }

        /// <summary>Glue's parallel JDBC read options (hashfield or hashexpression, hashpartitions).</summary>
        private (string? Field, string? Expression, int? Partitions) Hash(MappingNode source, string name, bool database)
        {
            var field = source["hashfield"] is { } f ? Text(f, "hashfield") : null;
            var expression = source["hashexpression"] is { } e ? Text(e, "hashexpression") : null;
            int? partitions = null;
            if (source["hashpartitions"] is { } p && Text(p, "hashpartitions") is { } text)
            {
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > 1000)
                {
                    Error(p, $"hashpartitions '{text}' is not a number of partitions", "write a whole number from 1 to 1000, e.g. hashpartitions: 10 (Glue's default is 7)");
                }
                else
                {
                    partitions = n;
                }
            }

            var first = source.Entry("hashfield") ?? source.Entry("hashexpression") ?? source.Entry("hashpartitions");
            if (first is not null && !database)
            {
                Findings.Add(Diagnostic.Error(first.KeyLocation, Rule, $"{first.Key} splits a database read, but source '{name}' reads files", "remove it (files are read in parallel anyway), or read the table with jdbc:"));
                return (null, null, null);
            }

            if (field is not null && expression is not null)
            {
                Error(source["hashexpression"]!, $"Source '{name}' has both hashfield and hashexpression", "keep one: hashfield (any column, hashed) or hashexpression (a numeric column or expression, split by range)");
            }
            else if (partitions is not null && field is null && expression is null)
            {
                Error(source["hashpartitions"]!, $"hashpartitions of source '{name}' needs the column to split on", "add hashfield: <column> (or hashexpression: <numeric column>)");
            }

            if (field is not null && source["hashfield"] is { } fieldNode && !Identifier().IsMatch(field))
            {
                Error(fieldNode, $"hashfield '{field}' is not a column name", "name one column; for an expression use hashexpression:");
            }

            return (field, expression, partitions);
        }

        private (string? S3, CatalogRef? Catalog, JdbcRef? Jdbc) Location(MappingNode node, string name, string what, bool sink)
        {
            var s3Node = node["s3"];
            var catalogNode = node["catalog"];
            var jdbcNode = node["jdbc"];
            var given = new[] { s3Node, catalogNode, jdbcNode }.Count(n => n is not null);
            if (given == 0)
            {
                Error(node, $"{Capitalise(what)} says neither s3, catalog nor jdbc", "add s3: s3://bucket/prefix/ (with format:), catalog: {database: db, table: t} or jdbc: {connection: <Glue connection>, table: schema.table}");
                return (null, null, null);
            }

            if (given > 1)
            {
                var names = new[] { ("s3", s3Node), ("catalog", catalogNode), ("jdbc", jdbcNode) }.Where(n => n.Item2 is not null).Select(n => n.Item1).ToArray();
                Error((jdbcNode ?? catalogNode)!, $"{Capitalise(what)} has both {names[0]} and {names[1]}", "keep one of them");
                return (null, null, null);
            }

            if (jdbcNode is not null)
            {
                return (null, null, Jdbc(jdbcNode, what, sink));
            }

            if (s3Node is not null)
            {
                var text = Text(s3Node, "s3");
                if (text is not null && !text.StartsWith("s3://", StringComparison.Ordinal))
                {
                    Error(s3Node, $"'{text}' is not an S3 location", $"write s3://<bucket>/<prefix>/ (placeholders such as s3://${{raw_bucket}}/{name}/ are fine)");
                    return (null, null, null);
                }

                if (text is not null && !S3Path().IsMatch(text))
                {
                    Error(s3Node, $"'{text}' does not name a valid bucket", "a bucket name has 3 to 63 lowercase letters, digits, dots and hyphens (or is a placeholder such as ${raw_bucket})");
                    return (null, null, null);
                }

                return (text, null, null);
            }

            if (catalogNode is not MappingNode catalog)
            {
                Error(catalogNode!, "catalog must name a database and a table", "write catalog: {database: raw, table: trips}");
                return (null, null, null);
            }

            Keys(catalog, CatalogKeys, "catalog");
            var database = catalog["database"] is { } db ? Text(db, "database") : Missing<string>(catalog, "catalog needs a database", "add database: <Glue database>");
            var table = catalog["table"] is { } t ? Text(t, "table") : Missing<string>(catalog, "catalog needs a table", "add table: <Glue table>");
            return database is null || table is null ? (null, null, null) : (null, new CatalogRef(database, table), null);
        }

        private JdbcRef? Jdbc(DocumentNode node, string what, bool sink)
        {
            var example = sink ? "jdbc: {connection: pg-target, table: public.events}" : "jdbc: {connection: mysql-source, table: glue_demo.events} (or query: SELECT ...)";
            if (node is not MappingNode map)
            {
                Error(node, "jdbc must name a Glue connection and a table", $"write {example}");
                return null;
            }

            Keys(map, sink ? JdbcSinkKeys : JdbcSourceKeys, "jdbc");
            var connection = map["connection"] is { } c ? Text(c, "connection") : Missing<string>(map, $"The jdbc of {what} names no connection", "add connection: <the Glue connection's Name (AWS::Glue::Connection ConnectionInput.Name)>");
            var table = map["table"] is { } t ? Text(t, "table") : null;
            var query = map["query"] is { } q ? Text(q, "query") : null;
            if (table is null && query is null && map["table"] is null && map["query"] is null)
            {
                Error(map, $"The jdbc of {what} names no table", sink ? "add table: schema.table (it is created when missing)" : "add table: schema.table, or query: SELECT ...");
                return null;
            }

            if (table is not null && query is not null)
            {
                Error(map["query"]!, $"The jdbc of {what} has both table and query", "keep one of them");
                return null;
            }

            if (table is not null && !JobArguments.Placeholders(table).Any() && Data.Jdbc.JdbcTable.TryParse(table) is null)
            {
                Error(map["table"]!, $"'{table}' is not a table name", "write table or schema.table (quote names with spaces: \"my table\")");
                return null;
            }

            return connection is null || (table is null && query is null) ? null : new JdbcRef(connection, table, query);
        }

        private JobSink? Sink(MappingNode root, MappingEntry? entry)
        {
            if (entry is null)
            {
                Error(root, "A job needs a sink", "add sink: {s3: s3://bucket/prefix/, format: parquet, mode: overwrite}");
                return null;
            }

            if (entry.Value is not MappingNode sink)
            {
                Error(entry.Value, "sink must be a mapping", "write sink: {s3: s3://bucket/prefix/, format: parquet, mode: overwrite}");
                return null;
            }

            Keys(sink, SinkKeys, "the sink");
            var (s3, catalog, jdbc) = Location(sink, "output", "the sink", sink: true);
            if (jdbc is not null)
            {
                foreach (var key in new[] { "format", "partitionKeys", "compression", "csv" }.Where(k => sink.Entry(k) is not null))
                {
                    Findings.Add(Diagnostic.Error(sink.Entry(key)!.KeyLocation, Rule, $"{key} does not apply to a JDBC sink (rows go into a table)", $"remove {key}:"));
                }
            }
            var format = sink["format"] is { } f ? Format(f) : null;
            if (s3 is not null && format is null && sink["format"] is null)
            {
                Error(sink, "The sink writes S3 but has no format", "add format: parquet, csv or json");
            }

            var keys = sink["partitionKeys"] is { } keysNode ? Columns(keysNode, "partitionKeys", "partition key", "[year, month]") : [];

            string? compression = null;
            if (sink["compression"] is { } codecNode && Text(codecNode, "compression") is { } codec)
            {
                var allowed = Codecs[format ?? FileFormat.Parquet];
                if (!allowed.Contains(codec))
                {
                    Error(codecNode, $"'{codec}' is not a compression for {(format ?? FileFormat.Parquet).ToString().ToLowerInvariant()}", $"use one of {string.Join(", ", allowed)}");
                }

                compression = codec;
            }

            WriteMode mode = WriteMode.Overwrite;
            if (sink["mode"] is not { } modeNode)
            {
                Error(sink, "The sink has no mode", jdbc is not null
                    ? "add mode: overwrite (replace the table's rows), append (add rows) or merge (replace rows by key, with mergeKeys: [id])"
                    : "add mode: overwrite (replace the output) or mode: append (add to it; with a bookmark, only new input is processed)");
            }
            else if (Text(modeNode, "mode") is { } modeText)
            {
                switch (modeText)
                {
                    case "overwrite":
                        mode = WriteMode.Overwrite;
                        break;
                    case "append":
                        mode = WriteMode.Append;
                        break;
                    case "merge" when jdbc is not null:
                        mode = WriteMode.Merge;
                        break;
                    case "merge":
                        Error(modeNode, "merge needs a table to merge into: it is for JDBC sinks", "write jdbc: {connection: ..., table: ...}, or use overwrite or append for files");
                        break;
                    default:
                        Error(modeNode, $"'{modeText}' is not a write mode", DidYouMean(modeText, jdbc is null ? ["overwrite", "append"] : ["overwrite", "append", "merge"], jdbc is null ? "use overwrite or append" : "use overwrite, append or merge"));
                        break;
                }
            }

            var mergeKeys = new List<string>();
            if (sink["mergeKeys"] is { } mergeNode)
            {
                if (mode != WriteMode.Merge)
                {
                    Error(mergeNode, "mergeKeys is only for mode: merge", "remove mergeKeys:, or write mode: merge");
                }
                else if (mergeNode is SequenceNode { Items.Count: 0 })
                {
                    Error(mergeNode, "mergeKeys must list the key columns", "write mergeKeys: [id]");
                }
                else
                {
                    mergeKeys = Columns(mergeNode, "mergeKeys", "merge key", "[id]");
                }
            }
            else if (mode == WriteMode.Merge)
            {
                Error(sink["mode"]!, "mode: merge needs mergeKeys", "add mergeKeys: [<the columns that identify a row>]");
            }

            var csv = sink.Entry("csv") is { } csvEntry ? Csv(csvEntry) : new CsvOptions();
            if (sink.Entry("csv") is { } c && format is not null and not FileFormat.Csv)
            {
                Findings.Add(Diagnostic.Error(c.KeyLocation, Rule, $"csv: options on a {format.Value.ToString().ToLowerInvariant()} sink", "remove them, or set format: csv"));
            }

            return s3 is null && catalog is null && jdbc is null ? null : new JobSink(entry.KeyLocation) { S3Path = s3, Catalog = catalog, Jdbc = jdbc, Format = format, PartitionKeys = keys, Compression = compression, Mode = mode, MergeKeys = mergeKeys, Csv = csv };
        }

        private JobBookmark? Bookmark(MappingEntry entry, IReadOnlyList<JobSource> sources)
        {
            if (entry.Value is not MappingNode map)
            {
                Error(entry.Value, "bookmark must be a mapping", "write bookmark: {source: trips, by: files} or bookmark: {source: trips, by: column, column: updated_at}");
                return null;
            }

            Keys(map, BookmarkKeys, "bookmark");
            var source = map["source"] is { } s ? Text(s, "source") : sources.Count == 1 ? sources[0].Name : Missing<string>(map, "bookmark needs a source (the job has several)", $"add source: one of {string.Join(", ", sources.Select(x => x.Name))}");
            if (source is not null && map["source"] is { } sourceNode && sources.Count > 0 && sources.All(x => x.Name != source))
            {
                Error(sourceNode, $"The bookmark's source '{source}' is not a source of this job", DidYouMean(source, sources.Select(x => x.Name), $"use one of {string.Join(", ", sources.Select(x => x.Name))}"));
                return null;
            }

            BookmarkKind? kind = null;
            if (map["by"] is not { } byNode)
            {
                Error(map, "bookmark needs by: files or by: column", "add by: files (skip input files already read) or by: column with column: <monotonic column>");
            }
            else if (Text(byNode, "by") is { } by)
            {
                kind = by switch
                {
                    "files" => BookmarkKind.Files,
                    "column" => BookmarkKind.Column,
                    _ => Invalid<BookmarkKind?>(byNode, $"'{by}' is not a bookmark kind", DidYouMean(by, ["files", "column"], "use files or column")),
                };
            }

            var column = map["column"] is { } c ? Text(c, "column") : null;
            if (kind == BookmarkKind.Column && column is null && map["column"] is null)
            {
                Error(map, "A column bookmark needs its column", "add column: <a column that only grows, e.g. updated_at or an id>");
            }
            else if (kind == BookmarkKind.Files && map["column"] is { } extra)
            {
                Error(extra, "column is only for by: column", "remove column:, or write by: column");
            }

            if (kind == BookmarkKind.Files && source is not null && sources.FirstOrDefault(x => x.Name == source) is { Jdbc: not null })
            {
                Error(map["by"]!, $"Source '{source}' reads a database table: there are no files to remember", "write by: column with column: <a column that only grows, e.g. updated_at or an id>");
                return null;
            }

            return source is null || kind is null ? null : new JobBookmark(source, kind.Value, column, entry.KeyLocation);
        }

        private string? RulesFile(DocumentNode node)
        {
            if (Text(node, "rules") is not { } rules)
            {
                return null;
            }

            var full = Path.Combine(jobDirectory, rules);
            if (!File.Exists(full))
            {
                Error(node, $"The rule file {rules} does not exist in {displayDirectory}", "create it (DQDL, e.g. Rules = [ RowCount > 0 ]) or remove rules:");
                return null;
            }

            return rules;
        }

        private List<JobFixture> Fixtures(MappingEntry entry, IReadOnlyList<JobSource> sources)
        {
            var result = new List<JobFixture>();
            if (entry.Value is not MappingNode map)
            {
                Error(entry.Value, "fixtures must map sources to how their input is made", "write fixtures: {trips: {sql: fixtures/trips.sql}} or fixtures: {trips: {files: fixtures/trips/}}");
                return result;
            }

            foreach (var item in map.Entries)
            {
                if (sources.Count > 0 && sources.All(s => s.Name != item.Key))
                {
                    Findings.Add(Diagnostic.Error(item.KeyLocation, Rule, $"'{item.Key}' is not a source of this job", DidYouMean(item.Key, sources.Select(s => s.Name), $"fixtures are per source: {string.Join(", ", sources.Select(s => s.Name))}")));
                    continue;
                }

                if (item.Value is not MappingNode fixture)
                {
                    Error(item.Value, $"The fixture of '{item.Key}' must be a mapping", $"write {item.Key}: {{sql: fixtures/{item.Key}.sql}}");
                    continue;
                }

                Keys(fixture, FixtureKeys, $"the fixture of '{item.Key}'");
                var sql = fixture["sql"] is { } s ? Text(s, "sql") : null;
                var files = fixture["files"] is { } f ? Text(f, "files") : null;
                if (fixture.Has("sql") == fixture.Has("files"))
                {
                    Error(fixture, $"The fixture of '{item.Key}' needs exactly one of sql and files", $"write sql: fixtures/{item.Key}.sql (a DuckDB query) or files: fixtures/{item.Key}/ (copied as they are)");
                    continue;
                }

                if (sql is null && files is null)
                {
                    continue;
                }

                if (sql is not null && !File.Exists(Path.Combine(jobDirectory, sql)))
                {
                    Error(fixture["sql"]!, $"The fixture query {sql} does not exist in {displayDirectory}", "create it: a DuckDB SELECT whose rows are the input (a _file column splits them into files)");
                    continue;
                }

                if (files is not null && !Directory.Exists(Path.Combine(jobDirectory, files)))
                {
                    Error(fixture["files"]!, $"The fixture folder {files} does not exist in {displayDirectory}", "create it with the input files, or use sql:");
                    continue;
                }

                var format = fixture["format"] is { } fmt ? Format(fmt) : null;
                long? rows = null;
                if (fixture["rows"] is { } rowsNode)
                {
                    var rowsText = Text(rowsNode, "rows");
                    var count = 0L;
                    if (rowsText is not null && (!long.TryParse(rowsText, NumberStyles.Integer, CultureInfo.InvariantCulture, out count) || count < 1))
                    {
                        Error(rowsNode, $"rows must be a whole number of at least 1, not '{rowsText}'", "write rows: 1000 (the query reads the scaled count as ${rows})");
                    }
                    else if (rowsText is null)
                    {
                        // Text reported it.
                    }
                    else if (sql is null)
                    {
                        Error(rowsNode, "rows scales a fixture query; copied files have the rows they have", "remove rows:, or make the fixture a query (sql:)");
                    }
                    else
                    {
                        rows = count;
                    }
                }

                var source = sources.FirstOrDefault(x => x.Name == item.Key);
                string? table = null;
                if (fixture["table"] is { } tableNode && Text(tableNode, "table") is { } tableText)
                {
                    if (source is not { Jdbc.Query: not null })
                    {
                        Error(tableNode, $"table: is for the fixture of a source that reads a query; '{item.Key}' {(source?.Jdbc is null ? "reads files" : "names its table")}", "remove table:");
                    }
                    else
                    {
                        table = tableText;
                    }
                }
                else if (source is { Jdbc.Query: not null } && sql is not null)
                {
                    Error(fixture, $"Source '{item.Key}' reads a query, so its fixture must say which table it fills", "add table: schema.table (the table the query reads)");
                }

                result.Add(new JobFixture(item.Key, sql, files, format, item.KeyLocation) { Rows = rows, Table = table });
            }

            return result;
        }

        private void CheckTransform(DocumentNode node, string transform)
        {
            var full = Path.Combine(jobDirectory, transform);
            var display = displayDirectory.Length == 0 ? transform : $"{displayDirectory}/{transform}";
            if (!File.Exists(full))
            {
                Error(node, $"The transform {transform} does not exist in {displayDirectory}", "create it: one SELECT over the sources (each source is a view named after it)");
                return;
            }

            var sql = File.ReadAllText(full);
            if (string.IsNullOrWhiteSpace(sql))
            {
                Findings.Add(Diagnostic.Error(new SourceLocation(display, 1, 1), Rule, $"{transform} is empty", "write one SELECT over the sources"));
                return;
            }

            Findings.AddRange(SqlPortability.Check(display, sql));
            var lines = sql.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (var (name, index) in JobArguments.Placeholders(lines[i]))
                {
                    if (!_declared.Contains(name) && !JobArguments.GlueReserved.Contains(name))
                    {
                        Findings.Add(Diagnostic.Error(new SourceLocation(display, i + 1, index + 1), Rule, $"${{{name}}} is not an argument of this job", DidYouMean(name, _declared, $"declare it under arguments: in {FileName}")));
                    }
                }
            }
        }

        private CsvOptions Csv(MappingEntry entry)
        {
            var options = new CsvOptions();
            if (entry.Value is not MappingNode map)
            {
                Error(entry.Value, "csv options must be a mapping", "write csv: {header: true, delimiter: \",\", quote: '\"', escape: '\"', null: \"\"}");
                return options;
            }

            Keys(map, CsvKeys, "csv");
            if (map["header"] is { } h)
            {
                options = options with { Header = Boolean(h, "header") ?? true };
            }

            foreach (var key in new[] { "delimiter", "quote", "escape" })
            {
                if (map[key] is not { } node || Text(node, key, allowEmpty: true) is not { } value)
                {
                    continue;
                }

                if (value.Length != 1 && !(key == "delimiter" && value == "\\t"))
                {
                    Error(node, $"csv {key} must be one character, not '{value}'", key == "delimiter" ? "write e.g. delimiter: \",\" (\"\\t\" for a tab)" : $"write e.g. {key}: '\"'");
                    continue;
                }

                value = value == "\\t" ? "\t" : value;
                options = key switch
                {
                    "delimiter" => options with { Delimiter = value },
                    "quote" => options with { Quote = value },
                    _ => options with { Escape = value },
                };
            }

            if (map["null"] is { } n)
            {
                options = options with { Null = n is ScalarNode { Kind: ScalarKind.Null } ? string.Empty : Text(n, "null", allowEmpty: true) ?? string.Empty };
            }

            return options;
        }

        private JsonOptions Json(MappingEntry entry)
        {
            var options = new JsonOptions();
            if (entry.Value is not MappingNode map)
            {
                Error(entry.Value, "json options must be a mapping", "write json: {layout: lines} or json: {unnest: features}");
                return options;
            }

            Keys(map, JsonKeys, "json");
            if (map["layout"] is { } l && Text(l, "layout") is { } layout)
            {
                options = layout switch
                {
                    "auto" => options,
                    "lines" => options with { Layout = JsonLayout.Lines },
                    "array" => options with { Layout = JsonLayout.Array },
                    _ => Invalid<JsonOptions>(l, $"'{layout}' is not a JSON layout", DidYouMean(layout, ["auto", "lines", "array"], "use lines (one object per line), array or auto")) ?? options,
                };
            }

            if (map["unnest"] is { } u && Text(u, "unnest") is { } field)
            {
                if (!Identifier().IsMatch(field))
                {
                    Error(u, $"'{field}' is not a field name", "name the top-level array whose elements are the rows, e.g. unnest: features");
                }
                else
                {
                    options = options with { Unnest = field };
                }
            }

            return options;
        }

        private FileFormat? Format(DocumentNode node)
        {
            if (Text(node, "format") is not { } text)
            {
                return null;
            }

            return text switch
            {
                "csv" => FileFormat.Csv,
                "json" => FileFormat.Json,
                "parquet" => FileFormat.Parquet,
                _ => Invalid<FileFormat?>(node, $"'{text}' is not a format", DidYouMean(text.ToLowerInvariant(), Formats, "use csv, json or parquet")),
            };
        }

        /// <summary>A list of distinct column names (partitionKeys, mergeKeys).</summary>
        private List<string> Columns(DocumentNode node, string key, string what, string example)
        {
            var columns = new List<string>();
            if (node is not SequenceNode list)
            {
                Error(node, $"{key} must be a list of column names", $"write {key}: {example}");
                return columns;
            }

            foreach (var item in list.Items)
            {
                if (Text(item, key) is not { } column)
                {
                    continue;
                }

                if (!Identifier().IsMatch(column))
                {
                    Error(item, $"'{column}' is not a column name", "name a column of transform.sql's result");
                }
                else if (columns.Contains(column, StringComparer.OrdinalIgnoreCase))
                {
                    Error(item, $"{what} '{column}' is listed twice", "list each key once");
                }
                else
                {
                    columns.Add(column);
                }
            }

            return columns;
        }

        private void Keys(MappingNode map, string[] allowed, string what)
        {
            foreach (var entry in map.Entries.Where(e => !allowed.Contains(e.Key)))
            {
                var closest = DocumentParser.Closest(entry.Key, allowed);
                Findings.Add(Diagnostic.Error(entry.KeyLocation, Rule, $"Unknown key '{entry.Key}' in {what}", closest is null ? $"the keys are {string.Join(", ", allowed)}" : $"did you mean {closest}?"));
            }
        }

        private string? Text(DocumentNode node, string what, bool allowEmpty = false)
        {
            if (node is not ScalarNode scalar || scalar.Kind == ScalarKind.Null)
            {
                Error(node, $"{what} must be a single value", $"write {what}: <value>");
                return null;
            }

            if (!allowEmpty && scalar.Value.Trim().Length == 0)
            {
                Error(node, $"{what} is empty", $"write {what}: <value>");
                return null;
            }

            foreach (var (name, index) in JobArguments.Placeholders(scalar.Value))
            {
                if (!_declared.Contains(name) && !JobArguments.GlueReserved.Contains(name))
                {
                    Findings.Add(Diagnostic.Error(scalar.Location with { Column = scalar.Location.Column + index + (scalar.Quoted ? 1 : 0) }, Rule, $"${{{name}}} is not an argument of this job", DidYouMean(name, _declared, "declare it under arguments:")));
                }
            }

            return scalar.Value;
        }

        private bool? Boolean(DocumentNode node, string what)
        {
            if (node is ScalarNode { Kind: ScalarKind.Boolean } scalar)
            {
                return scalar.Value.Equals("true", StringComparison.OrdinalIgnoreCase);
            }

            Error(node, $"{what} must be true or false", $"write {what}: true");
            return null;
        }

        private T? Missing<T>(DocumentNode node, string message, string fix)
        {
            Error(node, message, fix);
            return default;
        }

        private T? Invalid<T>(DocumentNode node, string message, string fix)
        {
            Error(node, message, fix);
            return default;
        }

        private void Error(DocumentNode node, string message, string fix) =>
            Findings.Add(Diagnostic.Error(node.Location.Source.Length == 0 ? new SourceLocation(path) : node.Location, Rule, message, fix));

        private static string DidYouMean(string word, IEnumerable<string> candidates, string otherwise) =>
            DocumentParser.Closest(word, candidates) is { } closest ? $"did you mean {closest}?" : otherwise;

        private static string Capitalise(string text) => char.ToUpper(text[0], CultureInfo.InvariantCulture) + text[1..];
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex ArgumentName();

    [GeneratedRegex(@"^s3://([a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]|\$\{[^}]+\}[a-z0-9.\-${}]*)(/.*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex S3Path();
}
