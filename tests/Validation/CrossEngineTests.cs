using System.Globalization;
using GluePipeline.Data;
using GluePipeline.Tests.Support;
using GluePipeline.Validation;
using GluePipeline.Validation.Dqdl;

namespace GluePipeline.Tests.Validation;

/// <summary>One dataset loaded into DuckDB, PostgreSQL and MariaDB (the CI servers).</summary>
public sealed class CrossEngineFixture : DatabaseFixture
{
    private static readonly (string Name, string DuckDb, string Postgres, string MySql)[] Columns =
    [
        ("id", "INTEGER", "INTEGER", "INTEGER"),
        ("name", "VARCHAR", "VARCHAR(50)", "VARCHAR(50)"),
        ("amount", "DOUBLE", "DOUBLE PRECISION", "DOUBLE"),
        ("code", "VARCHAR", "VARCHAR(50)", "VARCHAR(50)"),
        ("created", "TIMESTAMP", "TIMESTAMP", "DATETIME(6)"),
        ("flag", "VARCHAR", "VARCHAR(50)", "VARCHAR(50)"),
        ("grp", "VARCHAR", "VARCHAR(50)", "VARCHAR(50)"),
    ];

    private static readonly object?[][] Rows =
    [
        [1, "alice", 10.0, "AB12", new DateTime(2026, 11, 27, 11, 0, 0), "true", "a"],
        [2, "bob", 20.0, "CD34", new DateTime(2026, 11, 26, 6, 0, 0), "yes", "a"],
        [3, null, 30.0, "ef56", new DateTime(2026, 11, 25, 10, 0, 0), "nope", "b"],
        [4, "dave", null, "", null, "1", "c"],
        [5, "eve", 40.0, "   ", new DateTime(2026, 11, 27, 10, 0, 0), null, null],
        [6, "Alice", 50.5, "gh78", new DateTime(2026, 11, 27, 11, 59, 0), "false", "A"],
    ];

    private static readonly (string Name, string DuckDb, string Postgres, string MySql)[] ReferenceColumns =
    [
        ("id", "INTEGER", "INTEGER", "INTEGER"),
        ("name", "VARCHAR", "VARCHAR(50)", "VARCHAR(50)"),
        ("amount", "DOUBLE", "DOUBLE PRECISION", "DOUBLE"),
    ];

    private static readonly object?[][] ReferenceRows =
    [
        [1, "alice", 10.0], [2, "bob", 20.0], [3, "carol", 30.0], [4, "dave", null], [6, "frank", 60.0], [7, "gina", 70.0],
    ];

    protected override async Task LoadDuckDbAsync(DuckDbEngine duckDb)
    {
        await duckDb.ExecuteAsync(Create(SqlDialect.DuckDb, "t", Columns.Select(c => (c.Name, c.DuckDb))), CancellationToken.None);
        await duckDb.ExecuteAsync(Insert(SqlDialect.DuckDb, "t", Rows), CancellationToken.None);
        await duckDb.ExecuteAsync(Create(SqlDialect.DuckDb, "r", ReferenceColumns.Select(c => (c.Name, c.DuckDb))), CancellationToken.None);
        await duckDb.ExecuteAsync(Insert(SqlDialect.DuckDb, "r", ReferenceRows), CancellationToken.None);
    }

    protected override async Task LoadPostgresAsync(PostgresEngine postgres, string schema)
    {
        await postgres.ExecuteAsync(Create(SqlDialect.PostgreSql, $"{schema}.t", Columns.Select(c => (c.Name, c.Postgres))), CancellationToken.None);
        await postgres.ExecuteAsync(Insert(SqlDialect.PostgreSql, $"{schema}.t", Rows), CancellationToken.None);
        await postgres.ExecuteAsync(Create(SqlDialect.PostgreSql, $"{schema}.r", ReferenceColumns.Select(c => (c.Name, c.Postgres))), CancellationToken.None);
        await postgres.ExecuteAsync(Insert(SqlDialect.PostgreSql, $"{schema}.r", ReferenceRows), CancellationToken.None);
    }

    protected override async Task LoadMySqlAsync(MySqlEngine mysql)
    {
        // Spark compares strings exactly; so do where clauses on a binary collation. (The rules themselves
        // compare exactly whatever the collation: see the test on "t_ci".)
        await mysql.ExecuteAsync(Create(SqlDialect.MySql, "t", Columns.Select(c => (c.Name, c.MySql))), CancellationToken.None);
        await mysql.ExecuteAsync(Create(SqlDialect.MySql, "t_ci", Columns.Select(c => (c.Name, c.MySql.StartsWith("VARCHAR", StringComparison.Ordinal) ? c.MySql + " COLLATE utf8mb4_general_ci" : c.MySql))), CancellationToken.None);
        await mysql.ExecuteAsync(Insert(SqlDialect.MySql, "t_ci", Rows), CancellationToken.None);
        await mysql.ExecuteAsync(Insert(SqlDialect.MySql, "t", Rows), CancellationToken.None);
        await mysql.ExecuteAsync(Create(SqlDialect.MySql, "r", ReferenceColumns.Select(c => (c.Name, c.MySql))), CancellationToken.None);
        await mysql.ExecuteAsync(Insert(SqlDialect.MySql, "r", ReferenceRows), CancellationToken.None);
    }

    private static string Create(SqlDialect dialect, string table, IEnumerable<(string Name, string Type)> columns) =>
        $"CREATE TABLE {string.Join(".", table.Split('.').Select(dialect.Identifier))} ({string.Join(", ", columns.Select(c => $"{dialect.Identifier(c.Name)} {c.Type}"))})";

    private static string Insert(SqlDialect dialect, string table, object?[][] rows) =>
        $"INSERT INTO {string.Join(".", table.Split('.').Select(dialect.Identifier))} VALUES " + string.Join(", ", rows.Select(r => "(" + string.Join(", ", r.Select(v => v switch
        {
            null => "NULL",
            string s => dialect.String(s),
            DateTime d => dialect.TimestampLiteral(d),
            double x => x.ToString("R", CultureInfo.InvariantCulture),
            _ => Convert.ToString(v, CultureInfo.InvariantCulture),
        })) + ")"));
}

/// <summary>The same ruleset gives the same outcomes and metrics on DuckDB, PostgreSQL and MariaDB.</summary>
public sealed class CrossEngineTests(CrossEngineFixture fixture) : IClassFixture<CrossEngineFixture>
{
    internal const string Ruleset = """
        Rules = [
          RowCount = 6,
          RowCount = 2 where "grp = 'a'",
          Completeness "amount" > 0.8,
          IsComplete "name",
          IsComplete "name" where "id > 3",
          Mean "amount" between 30 and 31,
          Sum "amount" = 150.5,
          StandardDeviation "amount" < 20,
          Variance "amount" > 200,
          Range "amount" = 40.5,
          Uniqueness "grp" > 0.5,
          IsUnique "name",
          IsUnique "grp",
          UniqueValueRatio "grp" > 0.7,
          Entropy "grp" > 1,
          DistinctValuesCount "grp" = 6,
          DistinctValuesCount "name" = 6,
          IsPrimaryKey "id",
          IsPrimaryKey "grp" "id",
          ColumnCorrelation "id" "amount" > 0.9,
          ColumnValues "amount" > 5,
          ColumnValues "amount" between 10 and 50 with threshold >= 0.5,
          ColumnValues "amount" not between 10 and 40,
          ColumnValues "amount" != 20,
          ColumnValues "amount" in [10, 20, 30, 40, 50.5, NULL],
          ColumnValues "name" in ["alice", "bob"],
          ColumnValues "name" not in ["alice", NULL],
          ColumnValues "name" = "alice",
          ColumnValues "code" in [EMPTY],
          ColumnValues "code" in [WHITESPACES_ONLY],
          ColumnValues "code" not in [EMPTY, WHITESPACES_ONLY],
          ColumnValues "code" matches "[A-Z]{2}[0-9]{2}",
          ColumnValues "code" matches "[a-z]{2}\d{2}" with threshold > 0.1,
          ColumnValues "code" matches "AB|CD34" with threshold > 0.1,
          ColumnValues "code" not matches "[A-Z]{2}[0-9]{2}",
          ColumnValues "created" > (now() - 2 days),
          ColumnValues "created" between "2026-11-24" and "2026-11-28",
          ColumnValues "created" != "2026-11-25",
          ColumnLength "code" = 4,
          ColumnLength "name" >= 3,
          ColumnLength "code" between 2 and 5,
          DataFreshness "created" <= 24 hours,
          DataFreshness "created" between 1 hours and 50 hours,
          ColumnDataType "flag" = "BOOLEAN",
          ColumnDataType "id" = "INTEGER",
          ColumnDataType "code" = "INTEGER",
          ColumnDataType "created" = "TIMESTAMP",
          ColumnDataType "flag" != "BOOLEAN",
          ColumnExists "id",
          ColumnExists "tip",
          ColumnCount = 7,
          ColumnNamesMatchPattern "^[a-z]+$",
          CustomSql "select count(*) from primary where amount > 15" = 4,
          CustomSql "select id from primary where amount > 15" with threshold > 0.6,
          RowCountMatch "reference" = 1.0,
          ReferentialIntegrity "id" "reference.id" between 0.66 and 0.67,
          ReferentialIntegrity "id,name" "reference.{id,name}" = 0.5,
          DatasetMatch "reference" "id" "amount" between 0.66 and 0.67,
          AggregateMatch "sum(amount)" "sum(reference.amount)" > 0.7,
          (IsComplete "id") and (IsComplete "name"),
          (IsComplete "id") or (IsComplete "name")
        ]
        """;

    private static async Task<ValidationResult> Evaluate(IQueryEngine engine, string table, string reference)
    {
        var evaluator = new RulesetEvaluator(engine, new ValidationOptions(Time: new FixedTime(ValidationFixture.Now)));
        return await evaluator.EvaluateAsync(
            DqdlParser.Parse("cross.dqdl", Ruleset),
            new ValidationDataset(engine.Dialect.Kind.ToString(), table),
            new Dictionary<string, ValidationDataset> { ["reference"] = new("r", reference) },
            CancellationToken.None);
    }

    [SkippableFact]
    public async Task One_ruleset_gives_the_same_outcomes_and_metrics_on_DuckDB_PostgreSQL_and_MariaDB()
    {
        fixture.RequireDatabases();
        var schema = fixture.PostgresSchema!;

        var duck = await Evaluate(fixture.DuckDb, "t", "r");
        var postgres = await Evaluate(fixture.Postgres!, $"\"{schema}\".\"t\"", $"\"{schema}\".\"r\"");
        var mysql = await Evaluate(fixture.MySql!, "`t`", "`r`");

        duck.Rules.Should().NotContain(r => r.Outcome == RuleOutcome.Error, string.Join("\n", duck.Rules.Where(r => r.Outcome == RuleOutcome.Error).Select(r => r.Rule + ": " + r.FailureReason)));
        duck.Rules.Count(r => r.Outcome == RuleOutcome.Passed).Should().BeInRange(10, duck.Rules.Count - 10, "the ruleset mixes passing and failing rules");
        foreach (var other in new[] { postgres, mysql })
        {
            for (var i = 0; i < duck.Rules.Count; i++)
            {
                var expected = duck.Rules[i];
                var actual = other.Rules[i];
                actual.Outcome.Should().Be(expected.Outcome, $"{other.Dataset}: {expected.Rule} ({actual.FailureReason})");
                foreach (var (key, value) in expected.EvaluatedMetrics)
                {
                    actual.EvaluatedMetrics.Should().ContainKey(key, $"{other.Dataset}: {expected.Rule}");
                    actual.EvaluatedMetrics[key].Should().BeApproximately(value, 1e-6, $"{other.Dataset}: {expected.Rule} {key}");
                }
            }
        }
    }

    [SkippableFact]
    public async Task Rules_compare_strings_exactly_as_Spark_does_even_on_a_case_folding_collation()
    {
        fixture.RequireDatabases();

        var mysql = await Evaluate(fixture.MySql!, "`t_ci`", "`r`");

        mysql.Rules.Single(r => r.Rule == "IsUnique \"name\"").Outcome.Should().Be(RuleOutcome.Passed, "'alice' and 'Alice' are different values, although MariaDB's collation folds case");
        mysql.Rules.Single(r => r.Rule == "ColumnValues \"code\" in [EMPTY]").EvaluatedMetrics["Column.code.ColumnValues.Compliance"].Should().BeApproximately(1.0 / 6, 1e-9, "'   ' is not '' although MariaDB pads spaces");
    }
}
