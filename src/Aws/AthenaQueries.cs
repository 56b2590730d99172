using System.Globalization;
using System.Text.Json.Nodes;

namespace GluePipeline.Aws;

/// <summary>Where and how a query runs.</summary>
/// <param name="WorkGroup">The work group (its settings may impose the output location and a scan limit).</param>
/// <param name="Database">The database unqualified table names resolve in, or null for the work group's default.</param>
/// <param name="Catalog">The data catalog, or null for <c>AwsDataCatalog</c>.</param>
/// <param name="OutputLocation">Where Athena writes the results (<c>s3://bucket/prefix/</c>), or null when the work group sets it.</param>
public sealed record AthenaOptions(string WorkGroup = "primary", string? Database = null, string? Catalog = null, string? OutputLocation = null)
{
    /// <summary>The variable naming the work group of the aws lane's rules and livetests/ (default primary).</summary>
    public const string WorkGroupVariable = "PIPELINE_ATHENA_WORKGROUP";

    /// <summary>The variable naming where Athena writes query results.</summary>
    public const string OutputVariable = "PIPELINE_ATHENA_OUTPUT";

    /// <summary>The work group and result location the environment gives, else primary and <paramref name="defaultOutput"/>.</summary>
    public static AthenaOptions FromEnvironment(string? defaultOutput) => new(
        Environment.GetEnvironmentVariable(WorkGroupVariable) is { Length: > 0 } workGroup ? workGroup : "primary",
        OutputLocation: Environment.GetEnvironmentVariable(OutputVariable) is { Length: > 0 } output ? output : defaultOutput);

    /// <summary>The variables that hand these options to another process (livetests/).</summary>
    public IReadOnlyDictionary<string, string> ToEnvironment() => OutputLocation is null
        ? new Dictionary<string, string> { [WorkGroupVariable] = WorkGroup }
        : new Dictionary<string, string> { [WorkGroupVariable] = WorkGroup, [OutputVariable] = OutputLocation };
}

/// <summary>A result column.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Type">Its Athena type name as ColumnInfo gives it (<c>bigint</c>, <c>varchar</c>, <c>decimal</c>, <c>array</c>, ...).</param>
public sealed record AthenaColumn(string Name, string Type);

/// <summary>A query's outcome: its columns and typed rows, and what it cost.</summary>
/// <param name="QueryExecutionId">The query's id.</param>
/// <param name="Columns">The result columns (from ResultSetMetadata.ColumnInfo).</param>
/// <param name="Rows">
/// The rows, header excluded, each value typed from its column: boolean → bool, tinyint → sbyte,
/// smallint → short, integer → int, bigint → long, double → double, float/real → float,
/// decimal → decimal, date → DateOnly, timestamp → DateTime (unspecified kind), NULL → null, and
/// everything else (varchar, char, array, map, row, json, timestamp with time zone, ...) as text.
/// </param>
/// <param name="DataScannedBytes">The bytes scanned (what Athena bills), when reported.</param>
/// <param name="EngineTime">The engine's execution time, when reported.</param>
public sealed record AthenaResult(string QueryExecutionId, IReadOnlyList<AthenaColumn> Columns, IReadOnlyList<object?[]> Rows, long? DataScannedBytes, TimeSpan? EngineTime)
{
    /// <summary>The statement type: DML (SELECT, INSERT INTO, ...), DDL (CREATE, SHOW, ...) or UTILITY (DESCRIBE, EXPLAIN, ...); null when not reported.</summary>
    public string? StatementType { get; init; }

    /// <summary>The rows written by INSERT INTO, CTAS, UPDATE, DELETE or MERGE, when reported.</summary>
    public long? UpdateCount { get; init; }
}

/// <summary>An Athena query that did not succeed: it FAILED, was CANCELLED, or did not finish before the deadline.</summary>
public sealed class AthenaQueryException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="queryExecutionId">The query's id.</param>
    /// <param name="state">The query's last state (FAILED, CANCELLED, or QUEUED/RUNNING when the deadline passed).</param>
    /// <param name="reason">Athena's StateChangeReason, or what went wrong.</param>
    /// <param name="message">The whole message.</param>
    public AthenaQueryException(string queryExecutionId, string state, string reason, string message)
        : base(message)
    {
        QueryExecutionId = queryExecutionId;
        State = state;
        Reason = reason;
    }

    /// <summary>Creates the exception.</summary>
    public AthenaQueryException()
        : this("The Athena query failed")
    {
    }

    /// <summary>Creates the exception.</summary>
    public AthenaQueryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public AthenaQueryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The query's id (empty when it never got one).</summary>
    public string QueryExecutionId { get; } = string.Empty;

    /// <summary>The query's last state: FAILED, CANCELLED, or QUEUED/RUNNING when the deadline passed.</summary>
    public string State { get; } = string.Empty;

    /// <summary>Athena's StateChangeReason, or what went wrong.</summary>
    public string Reason { get; } = string.Empty;
}

/// <summary>
/// Athena as a query engine: starts a query (with a ClientRequestToken generated per query, so a
/// retried StartQueryExecution does not start it twice), polls GetQueryExecution with backoff
/// (QUEUED and RUNNING, in either order, until SUCCEEDED, FAILED or CANCELLED) under a deadline,
/// stops the query when the deadline passes or the caller cancels, and reads every page of
/// GetQueryResults into typed rows; the header row that a SELECT's first page starts with is dropped.
/// </summary>
/// <param name="athena">The Athena client (<c>athena</c>, target prefix <c>AmazonAthena</c>).</param>
/// <param name="poll">The first wait between polls (0.5 s against AWS); each wait is 1.5 times the last, up to 5 s.</param>
/// <param name="deadline">How long a query may take before it is stopped (30 minutes).</param>
/// <param name="time">The clock.</param>
/// <param name="planned">
/// Whether <paramref name="athena"/> runs in plan mode (it was given an <see cref="AwsPlan"/>, which
/// answers every Athena call with <c>{}</c>): then a query is StartQueryExecution and one
/// GetQueryExecution, recorded in the plan, and the result is empty, instead of waiting forever for
/// a state that never comes.
/// </param>
public sealed class AthenaQueries(AwsJsonClient athena, TimeSpan? poll = null, TimeSpan? deadline = null, TimeProvider? time = null, bool planned = false)
{
    /// <summary>The most rows GetQueryResults returns per page.</summary>
    public const int PageSize = 1000;

    /// <summary>The query id used in plan mode, where StartQueryExecution answers none.</summary>
    public const string PlannedQueryExecutionId = "00000000-0000-0000-0000-000000000000";

    private static readonly TimeSpan MaxPoll = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss",
    ];

    private readonly TimeSpan _poll = poll ?? TimeSpan.FromMilliseconds(500);
    private readonly TimeSpan _deadline = deadline ?? TimeSpan.FromMinutes(30);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// Runs a query to its end and returns its typed rows. A query that FAILED or was CANCELLED, or
    /// that outlives the deadline (it is then stopped), throws <see cref="AthenaQueryException"/>;
    /// when <paramref name="cancellationToken"/> is cancelled while the query runs, the query is
    /// stopped before the <see cref="OperationCanceledException"/> propagates. A query cancelled
    /// while StartQueryExecution is in flight has no id yet and cannot be stopped.
    /// </summary>
    public async Task<AthenaResult> QueryAsync(string sql, AthenaOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        ArgumentNullException.ThrowIfNull(options);

        var id = await StartAsync(sql, options, cancellationToken);
        if (planned)
        {
            await athena.CallAsync("GetQueryExecution", new JsonObject { ["QueryExecutionId"] = id }, cancellationToken);
            return new AthenaResult(id, [], [], null, null);
        }

        var execution = await WaitAsync(id, sql, cancellationToken);
        var statistics = execution["Statistics"];
        var engineMillis = Long(statistics?["EngineExecutionTimeInMillis"]);
        var statementType = (string?)execution["StatementType"];
        var (columns, rows, updateCount) = await ReadResultsAsync(id, statementType, cancellationToken);
        return new AthenaResult(id, columns, rows, Long(statistics?["DataScannedInBytes"]), engineMillis is { } ms ? TimeSpan.FromMilliseconds(ms) : null)
        {
            StatementType = statementType,
            UpdateCount = updateCount,
        };
    }

    /// <summary>
    /// Types one value as its Athena column type says (see <see cref="AthenaResult.Rows"/>); null is
    /// NULL. A decimal too large for .NET's decimal is kept as text.
    /// </summary>
    /// <exception cref="FormatException">The text is not a value of the type.</exception>
    public static object? Typed(string? text, string type)
    {
        if (text is null)
        {
            return null;
        }

        var invariant = CultureInfo.InvariantCulture;
        return BaseType(type) switch
        {
            "boolean" => bool.Parse(text),
            "tinyint" => sbyte.Parse(text, NumberStyles.Integer, invariant),
            "smallint" => short.Parse(text, NumberStyles.Integer, invariant),
            "integer" or "int" => int.Parse(text, NumberStyles.Integer, invariant),
            "bigint" => long.Parse(text, NumberStyles.Integer, invariant),
            "double" => double.Parse(text, NumberStyles.Float, invariant),
            "float" or "real" => float.Parse(text, NumberStyles.Float, invariant),
            "decimal" => decimal.TryParse(text, NumberStyles.Number | NumberStyles.AllowExponent, invariant, out var d) ? d : Overflowing(text),
            "date" => DateOnly.ParseExact(text, "yyyy-MM-dd", invariant),
            "timestamp" => DateTime.ParseExact(SevenFractionDigits(text), TimestampFormats, invariant, DateTimeStyles.None),
            _ => text,
        };
    }

    /// <summary>The first non-blank line of a query, for messages.</summary>
    private static string FirstLine(string sql)
    {
        var line = sql.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? string.Empty;
        return line.Length > 200 ? line[..200] + "..." : line;
    }

    private static string NewToken() => "pipeline-" + Guid.NewGuid().ToString("N");

    private static long? Long(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var n) ? n : null;

    private static string BaseType(string type)
    {
        var name = type.Trim().ToLowerInvariant();
        var cut = name.IndexOfAny(['(', '<']);
        return (cut < 0 ? name : name[..cut]).Trim();
    }

    private static string Overflowing(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? text : throw new FormatException($"'{text}' is not a decimal");

    /// <summary>Athena's timestamp(6) or (9) has more fraction digits than DateTime's seven: drop the excess.</summary>
    private static string SevenFractionDigits(string text)
    {
        var dot = text.LastIndexOf('.');
        if (dot < 0 || text.IndexOf(':', StringComparison.Ordinal) > dot)
        {
            return text;
        }

        var end = dot + 1;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        return end - dot - 1 > 7 ? text[..(dot + 8)] + text[end..] : text;
    }

    private async Task<string> StartAsync(string sql, AthenaOptions options, CancellationToken cancellationToken)
    {
        // One token per query, generated once: the client's retries resend this same body, so Athena
        // recognises a retried StartQueryExecution instead of running the query twice.
        var request = new JsonObject
        {
            ["QueryString"] = sql,
            ["ClientRequestToken"] = NewToken(),
            ["WorkGroup"] = options.WorkGroup,
        };
        if (options.Database is not null || options.Catalog is not null)
        {
            var context = new JsonObject();
            if (options.Database is not null)
            {
                context["Database"] = options.Database;
            }

            if (options.Catalog is not null)
            {
                context["Catalog"] = options.Catalog;
            }

            request["QueryExecutionContext"] = context;
        }

        if (options.OutputLocation is not null)
        {
            request["ResultConfiguration"] = new JsonObject { ["OutputLocation"] = options.OutputLocation };
        }

        var started = await athena.CallAsync("StartQueryExecution", request, cancellationToken);
        return (string?)started["QueryExecutionId"] is { Length: > 0 } id
            ? id
            : planned
                ? PlannedQueryExecutionId
                : throw new AthenaQueryException(string.Empty, "UNKNOWN", "no QueryExecutionId", $"Athena StartQueryExecution answered without a QueryExecutionId. Query: {FirstLine(sql)}");
    }

    /// <summary>Polls the query until it ends; returns the QueryExecution of a query that SUCCEEDED.</summary>
    private async Task<JsonNode> WaitAsync(string id, string sql, CancellationToken cancellationToken)
    {
        var until = _time.GetUtcNow() + _deadline;
        var wait = _poll;
        var cap = _poll > MaxPoll ? _poll : MaxPoll;
        var state = "QUEUED";
        try
        {
            while (true)
            {
                var answer = await athena.CallAsync("GetQueryExecution", new JsonObject { ["QueryExecutionId"] = id }, cancellationToken);
                var execution = answer["QueryExecution"];
                var status = execution?["Status"];
                state = (string?)status?["State"]
                    ?? throw new AthenaQueryException(id, "UNKNOWN", "no state", $"Athena GetQueryExecution of query {id} answered without QueryExecution.Status.State (an AthenaQueries over a plan-mode client must be built with planned: true). Query: {FirstLine(sql)}");
                switch (state)
                {
                    case "SUCCEEDED":
                        return execution!;
                    case "FAILED" or "CANCELLED":
                        throw Failed(id, state, status!, sql);
                }

                var now = _time.GetUtcNow();
                if (now >= until)
                {
                    var stopped = await StopAsync(id);
                    var reason = string.Create(CultureInfo.InvariantCulture, $"did not finish within {_deadline.TotalMinutes:0.##} minutes (still {state})");
                    throw new AthenaQueryException(id, state, reason, $"Athena query {id} {reason}; {stopped}. Query: {FirstLine(sql)}");
                }

                await Task.Delay(wait < until - now ? wait : until - now, _time, cancellationToken);
                wait = TimeSpan.FromTicks(Math.Min((long)(wait.Ticks * 1.5), cap.Ticks));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or AwsException)
        {
            // The caller gave up (or Athena could not be asked any more): the query would run on,
            // scanning and billing, with nobody to read its results.
            await StopAsync(id);
            throw;
        }
    }

    private static AthenaQueryException Failed(string id, string state, JsonNode status, string sql)
    {
        var reason = (string?)status["StateChangeReason"] is { Length: > 0 } why
            ? why
            : state == "CANCELLED" ? "cancelled (by StopQueryExecution or in the console)" : "Athena gave no reason";
        var message = $"Athena query {id} {state}: {reason}";
        if (status["AthenaError"] is JsonObject error)
        {
            var details = new List<string>();
            if (Long(error["ErrorCategory"]) is { } category)
            {
                details.Add(category switch { 1 => "category 1 (system)", 2 => "category 2 (user)", 3 => "category 3 (other)", _ => $"category {category}" });
            }

            if (Long(error["ErrorType"]) is { } type)
            {
                details.Add($"type {type}");
            }

            if ((bool?)error["Retryable"] == true)
            {
                details.Add("retryable");
            }

            if ((string?)error["ErrorMessage"] is { Length: > 0 } errorMessage && errorMessage != reason)
            {
                details.Add(errorMessage);
            }

            if (details.Count > 0)
            {
                message += $" (AthenaError {string.Join(", ", details)})";
            }
        }

        return new AthenaQueryException(id, state, reason, $"{message}. Query: {FirstLine(sql)}");
    }

    /// <summary>Stops a query, best effort and not under the caller's (possibly cancelled) token; says how it went.</summary>
    private async Task<string> StopAsync(string id)
    {
        using var timeout = new CancellationTokenSource(StopTimeout, _time);
        try
        {
            await athena.CallAsync("StopQueryExecution", new JsonObject { ["QueryExecutionId"] = id }, timeout.Token);
            return "it was stopped";
        }
        catch (AwsException ex)
        {
            return $"stopping it failed ({ex.Message}): it may still be running";
        }
        catch (OperationCanceledException)
        {
            return "stopping it timed out: it may still be running";
        }
    }

    /// <summary>Reads every page of the results: the columns, the typed rows (header dropped), and the update count.</summary>
    private async Task<(IReadOnlyList<AthenaColumn> Columns, IReadOnlyList<object?[]> Rows, long? UpdateCount)> ReadResultsAsync(string id, string? statementType, CancellationToken cancellationToken)
    {
        List<AthenaColumn>? columns = null;
        var rows = new List<object?[]>();
        long? updateCount = null;
        string? next = null;
        var first = true;
        do
        {
            var request = new JsonObject { ["QueryExecutionId"] = id, ["MaxResults"] = PageSize };
            if (next is not null)
            {
                request["NextToken"] = next;
            }

            var page = await athena.CallAsync("GetQueryResults", request, cancellationToken);
            updateCount ??= Long(page["UpdateCount"]);
            var resultSet = page["ResultSet"];
            columns ??= resultSet?["ResultSetMetadata"]?["ColumnInfo"] is JsonArray info
                ? info.Select(c => new AthenaColumn((string?)c?["Name"] ?? string.Empty, (string?)c?["Type"] ?? "varchar")).ToList()
                : null;
            var pageRows = resultSet?["Rows"] as JsonArray ?? [];
            var skip = 0;

            // Only a SELECT's (DML's) first page starts with the header row; DDL and utility results
            // (SHOW TABLES, DESCRIBE) have none, and later pages never do.
            if (first && statementType == "DML" && pageRows.Count > 0 && columns is { Count: > 0 } && IsHeader(pageRows[0], columns))
            {
                skip = 1;
            }

            foreach (var row in pageRows.Skip(skip))
            {
                rows.Add(Row(id, row, columns));
            }

            next = (string?)page["NextToken"];
            first = false;
        }
        while (!string.IsNullOrEmpty(next));

        return (columns ?? [], rows, updateCount);
    }

    private static IEnumerable<string?> Values(JsonNode? row) =>
        (row?["Data"] as JsonArray ?? []).Select(d => (string?)d?["VarCharValue"]);

    private static bool IsHeader(JsonNode? row, List<AthenaColumn> columns) =>
        Values(row).SequenceEqual(columns.Select(c => (string?)c.Name), StringComparer.Ordinal);

    private static object?[] Row(string id, JsonNode? row, List<AthenaColumn>? columns)
    {
        var values = Values(row).ToList();
        var width = columns?.Count ?? values.Count;
        var typed = new object?[width];
        for (var i = 0; i < width && i < values.Count; i++)
        {
            var column = columns?[i];
            try
            {
                typed[i] = column is null ? values[i] : Typed(values[i], column.Type);
            }
            catch (Exception ex) when (ex is FormatException or OverflowException)
            {
                throw new FormatException($"Athena query {id}: column {column!.Name} ({column.Type}) holds '{values[i]}', which is not a {BaseType(column.Type)}", ex);
            }
        }

        return typed;
    }
}
