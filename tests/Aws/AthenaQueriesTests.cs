using System.Text.Json.Nodes;
using GluePipeline.Aws;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Aws;

/// <summary>
/// Athena as a query engine against the fake Athena endpoint (every request checked against
/// botocore): a query is started with an idempotency token, polled through QUEUED and RUNNING,
/// stopped when it outlives its deadline or its caller, and its result pages read into typed rows.
/// </summary>
public sealed class AthenaQueriesTests : IDisposable
{
    private const string Id = "6f2c9a4e-1b7d-4c3a-9e8f-0a1b2c3d4e5f";
    private readonly FakeAws _athena = new("athena", "AmazonAthena");

    public void Dispose() => _athena.Dispose();

    private AwsJsonClient Client => _athena.JsonClient(attempts: 4);

    private AthenaQueries Queries(TimeSpan? deadline = null) => new(Client, poll: TimeSpan.FromMilliseconds(1), deadline: deadline ?? TimeSpan.FromSeconds(30));

    private static JsonObject Execution(string state, string statementType = "DML", string? reason = null, JsonObject? error = null)
    {
        var status = new JsonObject { ["State"] = state };
        if (reason is not null)
        {
            status["StateChangeReason"] = reason;
        }

        if (error is not null)
        {
            status["AthenaError"] = error;
        }

        return new JsonObject
        {
            ["QueryExecution"] = new JsonObject
            {
                ["QueryExecutionId"] = Id,
                ["StatementType"] = statementType,
                ["Status"] = status,
                ["Statistics"] = new JsonObject { ["EngineExecutionTimeInMillis"] = 1234L, ["DataScannedInBytes"] = 52_428_800L },
                ["WorkGroup"] = "primary",
            },
        };
    }

    private static JsonObject Page(IEnumerable<(string Name, string Type)> columns, IEnumerable<string?[]> rows, string? nextToken = null)
    {
        var page = new JsonObject
        {
            ["ResultSet"] = new JsonObject
            {
                ["Rows"] = new JsonArray(rows.Select(r => (JsonNode)new JsonObject
                {
                    ["Data"] = new JsonArray(r.Select(v => (JsonNode)(v is null ? new JsonObject() : new JsonObject { ["VarCharValue"] = v })).ToArray()),
                }).ToArray()),
                ["ResultSetMetadata"] = new JsonObject
                {
                    ["ColumnInfo"] = new JsonArray(columns.Select(c => (JsonNode)new JsonObject { ["Name"] = c.Name, ["Label"] = c.Name, ["Type"] = c.Type, ["Nullable"] = "UNKNOWN" }).ToArray()),
                },
            },
        };
        if (nextToken is not null)
        {
            page["NextToken"] = nextToken;
        }

        return page;
    }

    private FakeAws Started() => _athena.Returns("StartQueryExecution", new JsonObject { ["QueryExecutionId"] = Id });

    private IEnumerable<FakeAwsRequest> Calls(string operation) => _athena.Requests.Where(r => r.Operation == operation);

    [SkippableFact]
    public async Task A_select_is_polled_through_its_states_and_its_pages_are_read_into_typed_rows()
    {
        (string, string)[] columns =
        [
            ("trip_id", "bigint"), ("distance", "double"), ("fare", "decimal"), ("paid", "boolean"), ("pickup_date", "date"),
            ("pickup_at", "timestamp"), ("zone", "varchar"), ("note", "varchar"), ("stops", "array"),
        ];
        Started()
            .Returns("GetQueryExecution", Execution("QUEUED"))
            .Returns("GetQueryExecution", Execution("RUNNING"))
            .Returns("GetQueryExecution", Execution("QUEUED"))
            .Returns("GetQueryExecution", Execution("RUNNING"))
            .Returns("GetQueryExecution", Execution("SUCCEEDED"))
            .Returns("GetQueryResults", Page(columns,
                [
                    ["trip_id", "distance", "fare", "paid", "pickup_date", "pickup_at", "zone", "note", "stops"],
                    ["1", "2.5", "12.50", "true", "2026-11-27", "2026-11-27 08:15:30.123", "Midtown", null, "[1, 2]"],
                    ["2", "0.75", "7.00", "false", "2026-11-28", "2026-11-28 23:59:59.000", "", "late", "[]"],
                ],
                nextToken: "page-2"))
            .Returns("GetQueryResults", Page(columns,
                [
                    ["3", "1.0E-5", "0.01", "true", "2026-11-29", "2026-11-29 00:00:00.000", "trip_id", null, null],
                ]));

        var result = await Queries().QueryAsync("SELECT *\nFROM trips", new AthenaOptions(Database: "taxi", OutputLocation: "s3://results-bucket/athena/"), CancellationToken.None);

        result.QueryExecutionId.Should().Be(Id);
        result.StatementType.Should().Be("DML");
        result.Columns.Select(c => c.Name).Should().Equal("trip_id", "distance", "fare", "paid", "pickup_date", "pickup_at", "zone", "note", "stops");
        result.Columns[0].Type.Should().Be("bigint");
        result.Rows.Should().HaveCount(3, "the header is dropped from the first page only");
        result.Rows[0].Should().Equal(1L, 2.5d, 12.50m, true, new DateOnly(2026, 11, 27), new DateTime(2026, 11, 27, 8, 15, 30, 123, DateTimeKind.Unspecified), "Midtown", null, "[1, 2]");
        result.Rows[1].Should().Equal(2L, 0.75d, 7.00m, false, new DateOnly(2026, 11, 28), new DateTime(2026, 11, 28, 23, 59, 59), string.Empty, "late", "[]");
        result.Rows[2].Should().Equal(3L, 1.0e-5d, 0.01m, true, new DateOnly(2026, 11, 29), new DateTime(2026, 11, 29, 0, 0, 0), "trip_id", null, null);
        result.Rows[0][0].Should().BeOfType<long>();
        result.Rows[0][2].Should().BeOfType<decimal>();
        result.DataScannedBytes.Should().Be(52_428_800L);
        result.EngineTime.Should().Be(TimeSpan.FromMilliseconds(1234));

        var start = Calls("StartQueryExecution").Single().Body;
        ((string?)start["QueryString"]).Should().Be("SELECT *\nFROM trips");
        ((string?)start["WorkGroup"]).Should().Be("primary");
        ((string?)start["QueryExecutionContext"]!["Database"]).Should().Be("taxi");
        start["QueryExecutionContext"]!.AsObject().ContainsKey("Catalog").Should().BeFalse("no catalog was given");
        ((string?)start["ResultConfiguration"]!["OutputLocation"]).Should().Be("s3://results-bucket/athena/");
        ((string?)start["ClientRequestToken"])!.Length.Should().BeInRange(32, 128);
        Calls("GetQueryExecution").Should().HaveCount(5).And.OnlyContain(r => (string?)r.Body["QueryExecutionId"] == Id);
        var pages = Calls("GetQueryResults").ToList();
        pages.Should().HaveCount(2);
        pages[0].Body.ContainsKey("NextToken").Should().BeFalse();
        ((int?)pages[0].Body["MaxResults"]).Should().Be(1000);
        ((string?)pages[1].Body["NextToken"]).Should().Be("page-2");
        ((int?)pages[1].Body["MaxResults"]).Should().Be(1000);
        Calls("StopQueryExecution").Should().BeEmpty();
        _athena.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task A_failed_query_throws_with_Athenas_reason_and_the_query_id()
    {
        const string reason = "SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved";
        Started()
            .Returns("GetQueryExecution", Execution("RUNNING"))
            .Returns("GetQueryExecution", Execution("FAILED", reason: reason, error: new JsonObject { ["ErrorCategory"] = 2, ["ErrorType"] = 1006, ["Retryable"] = false, ["ErrorMessage"] = reason }));

        var query = () => Queries().QueryAsync("SELECT x\nFROM trips", new AthenaOptions(Database: "taxi"), CancellationToken.None);

        var error = (await query.Should().ThrowAsync<AthenaQueryException>()).Which;
        error.Message.Should().StartWith($"Athena query {Id} FAILED: {reason}").And.Contain("category 2 (user)").And.Contain("type 1006").And.EndWith("Query: SELECT x");
        (error.QueryExecutionId, error.State, error.Reason).Should().Be((Id, "FAILED", reason));
        Calls("GetQueryResults").Should().BeEmpty();
        Calls("StopQueryExecution").Should().BeEmpty("a failed query is over");
        _athena.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task A_cancelled_query_throws_with_its_state()
    {
        Started().Returns("GetQueryExecution", Execution("CANCELLED"));

        var query = () => Queries().QueryAsync("SELECT 1", new AthenaOptions(), CancellationToken.None);

        var error = (await query.Should().ThrowAsync<AthenaQueryException>()).Which;
        error.State.Should().Be("CANCELLED");
        error.Message.Should().StartWith($"Athena query {Id} CANCELLED: ");
        _athena.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task A_throttled_start_is_retried_with_the_same_client_request_token()
    {
        _athena.Fails("StartQueryExecution", 400, "ThrottlingException", "Rate exceeded");
        Started()
            .Returns("GetQueryExecution", Execution("SUCCEEDED"))
            .Returns("GetQueryResults", Page([("n", "integer")], [["n"], ["42"]]));

        var result = await Queries().QueryAsync("SELECT 42 AS n", new AthenaOptions(), CancellationToken.None);

        result.Rows.Should().ContainSingle().Which.Should().Equal(42);
        var tokens = Calls("StartQueryExecution").Select(r => (string?)r.Body["ClientRequestToken"]).ToList();
        tokens.Should().HaveCount(2);
        tokens.Distinct().Should().ContainSingle("a retried start must be recognised by Athena, not run twice");
        _athena.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task Each_query_gets_its_own_client_request_token()
    {
        for (var i = 0; i < 2; i++)
        {
            Started()
                .Returns("GetQueryExecution", Execution("SUCCEEDED"))
                .Returns("GetQueryResults", Page([("n", "integer")], [["n"], ["1"]]));
        }

        var queries = Queries();
        await queries.QueryAsync("SELECT 1 AS n", new AthenaOptions(), CancellationToken.None);
        await queries.QueryAsync("SELECT 1 AS n", new AthenaOptions(), CancellationToken.None);

        Calls("StartQueryExecution").Select(r => (string?)r.Body["ClientRequestToken"]).Distinct().Should().HaveCount(2, "the same SQL run twice is two queries");
        _athena.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task A_query_that_outlives_its_deadline_is_stopped()
    {
        Started().Otherwise("GetQueryExecution", _ => Execution("RUNNING"))
            .Returns("StopQueryExecution", []);

        var query = () => Queries(deadline: TimeSpan.FromMilliseconds(50)).QueryAsync("SELECT count(*)\nFROM huge", new AthenaOptions(), CancellationToken.None);

        var error = (await query.Should().ThrowAsync<AthenaQueryException>()).Which;
        error.Message.Should().StartWith($"Athena query {Id} did not finish within").And.Contain("still RUNNING").And.Contain("it was stopped").And.EndWith("Query: SELECT count(*)");
        (error.QueryExecutionId, error.State).Should().Be((Id, "RUNNING"));
        ((string?)Calls("StopQueryExecution").Single().Body["QueryExecutionId"]).Should().Be(Id);
        Calls("GetQueryResults").Should().BeEmpty();
        _athena.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task Cancelling_while_the_query_runs_stops_it()
    {
        // Cancelled while the client waits between polls (the first poll's answer is long delivered),
        // as a user's Ctrl-C usually lands.
        using var cancel = new CancellationTokenSource();
        Started().Otherwise("GetQueryExecution", _ =>
            {
                cancel.CancelAfter(TimeSpan.FromMilliseconds(50));
                return Execution("RUNNING");
            })
            .Returns("StopQueryExecution", []);
        var queries = new AthenaQueries(Client, poll: TimeSpan.FromSeconds(2), deadline: TimeSpan.FromSeconds(30));

        var query = () => queries.QueryAsync("SELECT * FROM trips", new AthenaOptions(), cancel.Token);

        await query.Should().ThrowAsync<OperationCanceledException>();
        Calls("GetQueryExecution").Should().ContainSingle("the wait between polls was cut short");
        ((string?)Calls("StopQueryExecution").Single().Body["QueryExecutionId"]).Should().Be(Id);
        Calls("GetQueryResults").Should().BeEmpty();
        _athena.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task A_DDL_result_has_no_header_row_to_drop()
    {
        Started()
            .Returns("GetQueryExecution", Execution("SUCCEEDED", statementType: "DDL"))
            .Returns("GetQueryResults", Page([("tab_name", "string")], [["tab_name"], ["trips"], ["zones"]]));

        var result = await Queries().QueryAsync("SHOW TABLES", new AthenaOptions(Database: "taxi", Catalog: "AwsDataCatalog"), CancellationToken.None);

        result.StatementType.Should().Be("DDL");
        result.Columns.Should().Equal(new AthenaColumn("tab_name", "string"));
        result.Rows.Select(r => r.Single()).Should().Equal("tab_name", "trips", "zones");
        ((string?)Calls("StartQueryExecution").Single().Body["QueryExecutionContext"]!["Catalog"]).Should().Be("AwsDataCatalog");
        _athena.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task A_DML_result_without_a_header_row_keeps_its_first_row()
    {
        // INSERT INTO reports an update count and no header; a first row unlike the names is data.
        Started()
            .Returns("GetQueryExecution", Execution("SUCCEEDED"))
            .Returns("GetQueryResults", new JsonObject { ["UpdateCount"] = 7L, ["ResultSet"] = Page([("rows", "bigint")], [["7"]])["ResultSet"]!.DeepClone() });

        var result = await Queries().QueryAsync("INSERT INTO trips SELECT * FROM staged", new AthenaOptions(), CancellationToken.None);

        result.UpdateCount.Should().Be(7);
        result.Rows.Should().ContainSingle().Which.Should().Equal(7L);
        _athena.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task In_plan_mode_a_query_is_recorded_and_answers_an_empty_result()
    {
        var lines = new List<string>();
        var plan = new AwsPlan(lines.Add);
        var client = new AwsJsonClient(new HttpClient(), "athena", "AmazonAthena", plan: plan);

        var result = await new AthenaQueries(client, planned: true).QueryAsync("SELECT 1", new AthenaOptions(), CancellationToken.None);

        result.Should().BeEquivalentTo(new AthenaResult(AthenaQueries.PlannedQueryExecutionId, [], [], null, null));
        lines.Select(l => (string?)JsonNode.Parse(l)!["operation"]).Should().Equal("StartQueryExecution", "GetQueryExecution");
    }

    [Fact]
    public async Task Without_planned_an_answer_with_no_state_is_a_clear_error_not_an_endless_wait()
    {
        var client = new AwsJsonClient(new HttpClient(), "athena", "AmazonAthena", plan: new AwsPlan(_ => { }));
        var planless = new AthenaQueries(client, poll: TimeSpan.FromMilliseconds(1));

        var query = () => planless.QueryAsync("SELECT 1", new AthenaOptions(), CancellationToken.None);

        (await query.Should().ThrowAsync<AthenaQueryException>()).WithMessage("*without a QueryExecutionId*");
    }

    [Theory]
    [InlineData("tinyint", "-7", (sbyte)-7)]
    [InlineData("smallint", "300", (short)300)]
    [InlineData("integer", "70000", 70000)]
    [InlineData("real", "1.5", 1.5f)]
    [InlineData("float", "NaN", float.NaN)]
    [InlineData("double", "-Infinity", double.NegativeInfinity)]
    [InlineData("varchar", "12", "12")]
    [InlineData("char", "ab  ", "ab  ")]
    [InlineData("map", "{a=1}", "{a=1}")]
    [InlineData("row", "{x=1, y=2}", "{x=1, y=2}")]
    [InlineData("json", "{\"a\":1}", "{\"a\":1}")]
    [InlineData("timestamp with time zone", "2026-11-27 08:15:30.123 UTC", "2026-11-27 08:15:30.123 UTC")]
    [InlineData("decimal", "123456789012345678901234567890123456.78", "123456789012345678901234567890123456.78")]
    public void Values_are_typed_from_their_Athena_type(string type, string text, object expected) =>
        AthenaQueries.Typed(text, type).Should().Be(expected);

    [Fact]
    public void Timestamps_with_more_digits_than_DateTime_holds_are_truncated_and_NULL_is_null()
    {
        AthenaQueries.Typed("2026-11-27 08:15:30.123456789", "timestamp").Should().Be(new DateTime(2026, 11, 27, 8, 15, 30).AddTicks(1_234_567));
        AthenaQueries.Typed("2026-11-27 08:15:30", "TIMESTAMP(3)").Should().Be(new DateTime(2026, 11, 27, 8, 15, 30));
        AthenaQueries.Typed("12.5", "decimal(10,2)").Should().Be(12.5m);
        AthenaQueries.Typed(null, "bigint").Should().BeNull();
        var bad = () => AthenaQueries.Typed("abc", "bigint");
        bad.Should().Throw<FormatException>();
    }
}
