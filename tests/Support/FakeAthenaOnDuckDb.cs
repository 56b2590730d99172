using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using GluePipeline.Data;

namespace GluePipeline.Tests.Support;

/// <summary>
/// Makes a fake Athena endpoint answer for real: each StartQueryExecution's SQL (Athena's dialect) runs
/// on DuckDB, which understands almost all of Trino's SQL (regexp_like is mapped to its DuckDB twin), and
/// GetQueryExecution / GetQueryResults hand the outcome back as Athena does - pages with the header row
/// first, every value as VarCharValue text, types in ResultSetMetadata - through the fake that checks
/// every request and answer against botocore.
/// </summary>
public static class FakeAthenaOnDuckDb
{
    /// <summary>Rows per GetQueryResults page (Athena's is 1,000; smaller to exercise paging).</summary>
    public const int PageRows = 3;

    public static async Task ServeAsync(FakeAws athena, DuckDbEngine duckDb)
    {
        await duckDb.ExecuteAsync("CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p)", CancellationToken.None);
        var outcomes = new ConcurrentDictionary<string, (string Sql, QueryResult? Result, string? Error)>(StringComparer.Ordinal);
        athena.Otherwise("StartQueryExecution", request =>
        {
            var id = Guid.NewGuid().ToString();
            var sql = (string)request["QueryString"]!;
            try
            {
                outcomes[id] = (sql, duckDb.QueryAsync(sql, CancellationToken.None).GetAwaiter().GetResult(), null);
            }
            catch (QueryFailedException ex)
            {
                outcomes[id] = (sql, null, ex.EngineMessage);
            }

            return new JsonObject { ["QueryExecutionId"] = id };
        });
        athena.Otherwise("GetQueryExecution", request =>
        {
            var id = (string)request["QueryExecutionId"]!;
            var (sql, _, error) = outcomes[id];
            var status = new JsonObject { ["State"] = error is null ? "SUCCEEDED" : "FAILED" };
            if (error is not null)
            {
                status["StateChangeReason"] = error;
            }

            return new JsonObject { ["QueryExecution"] = new JsonObject { ["QueryExecutionId"] = id, ["Query"] = sql, ["StatementType"] = "DML", ["Status"] = status } };
        });
        athena.Otherwise("GetQueryResults", request =>
        {
            var (_, result, _) = outcomes[(string)request["QueryExecutionId"]!];
            var start = request["NextToken"] is { } token ? int.Parse((string)token!, CultureInfo.InvariantCulture) : 0;
            var rows = new JsonArray();
            if (start == 0)
            {
                rows.Add(Row(result!.Columns.Cast<object?>().ToArray()));
            }

            foreach (var row in result!.Rows.Skip(start).Take(PageRows))
            {
                rows.Add(Row(row));
            }

            var page = new JsonObject
            {
                ["ResultSet"] = new JsonObject
                {
                    ["Rows"] = rows,
                    ["ResultSetMetadata"] = new JsonObject
                    {
                        ["ColumnInfo"] = new JsonArray(result.Columns.Select((c, i) => (JsonNode)new JsonObject { ["Name"] = c, ["Type"] = AthenaType(result.Rows.Select(r => r[i]).FirstOrDefault(v => v is not null)) }).ToArray()),
                    },
                },
            };
            if (start + PageRows < result.Rows.Count)
            {
                page["NextToken"] = (start + PageRows).ToString(CultureInfo.InvariantCulture);
            }

            return page;
        });
    }

    private static JsonObject Row(object?[] values) =>
        new() { ["Data"] = new JsonArray(values.Select(v => (JsonNode)(v is null ? new JsonObject() : new JsonObject { ["VarCharValue"] = Text(v) })).ToArray()) };

    private static string AthenaType(object? value) => value switch
    {
        null or string => "varchar",
        bool => "boolean",
        sbyte or byte or short or ushort => "smallint",
        int or uint => "integer",
        long or ulong => "bigint",
        float => "real",
        double => "double",
        decimal or BigInteger => "decimal",
        DateTime or DateTimeOffset => "timestamp",
        DateOnly => "date",
        _ => "varchar",
    };

    private static string Text(object value) => value switch
    {
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
