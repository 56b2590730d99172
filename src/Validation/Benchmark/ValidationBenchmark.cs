using System.Diagnostics;
using System.Globalization;
using GluePipeline.Data;

namespace GluePipeline.Validation.Benchmark;

/// <summary>Settings of the validation benchmark.</summary>
/// <param name="WorkDirectory">Where the generated Parquet file and the rule file live (reused between runs).</param>
/// <param name="ParquetRows">Rows of the DuckDB/Parquet dataset.</param>
/// <param name="PostgresRows">Rows loaded into PostgreSQL.</param>
/// <param name="Iterations">Measured runs of each variant (after one warm-up run); the median counts.</param>
/// <param name="Postgres">The PostgreSQL server, or null to leave PostgreSQL out.</param>
public sealed record BenchmarkOptions(string WorkDirectory, long ParquetRows = 10_000_000, long PostgresRows = 1_000_000, int Iterations = 5, DatabaseUri? Postgres = null);

/// <summary>The median times of one engine's three variants, in seconds.</summary>
/// <param name="Engine">The engine and storage.</param>
/// <param name="Rows">Rows in the dataset.</param>
/// <param name="Ours">(a) our engine end to end (parse, describe, compile, the shared queries, decide).</param>
/// <param name="PerRule">(b) one hand-written query per rule.</param>
/// <param name="Limit">(c) the limit: one hand-written aggregate and one GROUP BY.</param>
public sealed record BenchmarkCase(string Engine, long Rows, double Ours, double PerRule, double Limit)
{
    /// <summary>(a)/(c): the goal is at most 1.15.</summary>
    public double OursToLimit => Ours / Limit;

    /// <summary>(b)/(c): what one query per rule costs.</summary>
    public double PerRuleToLimit => PerRule / Limit;

    /// <summary>(a)/(b): the goal is at most 1.</summary>
    public double OursToPerRule => Ours / PerRule;
}

/// <summary>
/// Measures the validation engine against the two ways people write the same checks by hand, side
/// by side in one run (variants interleaved, medians compared), on 20 rules over taxi trips
/// (uniqueness, a regular expression, statistics, a where clause): 10 M rows of Parquet on DuckDB
/// and 1 M rows in PostgreSQL. Ratios, not seconds, are the result: the machines are noisy.
/// </summary>
public sealed class ValidationBenchmark(BenchmarkOptions options, Action<string> log)
{
    /// <summary>The 20 rules; every one passes on the generated trips.</summary>
    public const string Rules = """
        Rules = [
          RowCount > 0,
          IsComplete "trip_id",
          IsUnique "trip_id",
          IsPrimaryKey "trip_id",
          Completeness "fare_amount" > 0.95,
          ColumnValues "vendor_id" in [1, 2, 3],
          ColumnValues "payment_type" in ["card", "cash", "no charge", "dispute"],
          ColumnValues "fare_amount" between 0 and 1000 with threshold > 0.95,
          ColumnValues "passenger_count" <= 9,
          ColumnValues "zone" matches "Z[0-9]{3}",
          ColumnValues "store_and_fwd_flag" in ["Y", "N"],
          Mean "trip_distance" between 1 and 20,
          StandardDeviation "fare_amount" < 100,
          Sum "tip_amount" > 0,
          ColumnLength "zone" = 4,
          DistinctValuesCount "vendor_id" = 3,
          ColumnCorrelation "trip_distance" "fare_amount" > 0.5,
          ColumnValues "pickup_at" between "2023-12-31" and "2025-01-01",
          ColumnValues "tip_amount" >= 0 with threshold > 0.99,
          Completeness "tip_amount" >= 0.9 where "payment_type = 'card'"
        ]
        """;

    /// <summary>Runs every engine and returns one case per engine.</summary>
    public async Task<IReadOnlyList<BenchmarkCase>> RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.WorkDirectory);
        var rulesPath = Path.Combine(options.WorkDirectory, "trips.dqdl");
        await File.WriteAllTextAsync(rulesPath, Rules, cancellationToken);
        var cases = new List<BenchmarkCase>();

        var parquet = await ParquetAsync(cancellationToken);
        var relation = $"read_parquet('{parquet.Replace("'", "''", StringComparison.Ordinal)}')";
        cases.Add(await MeasureAsync(
            "DuckDB / Parquet",
            options.ParquetRows,
            () => new DatasetValidator().ValidateAsync(rulesPath, parquet, new Dictionary<string, string>(), options.WorkDirectory, cancellationToken),
            async sql =>
            {
                await using var engine = await DuckDbEngine.OpenAsync(null, cancellationToken);
                return await RunAllAsync(engine, sql, cancellationToken);
            },
            relation,
            SqlDialect.DuckDb,
            cancellationToken));

        if (options.Postgres is { } server)
        {
            var schema = "glue_pipeline_benchmark_" + Guid.NewGuid().ToString("N")[..8];
            await using var admin = await PostgresEngine.OpenAsync(server, cancellationToken);
            try
            {
                await LoadPostgresAsync(admin, schema, cancellationToken);
                var table = server with { Table = $"{schema}.trips", Query = null };
                cases.Add(await MeasureAsync(
                    "PostgreSQL",
                    options.PostgresRows,
                    () => new DatasetValidator().ValidateAsync(rulesPath, table.ToString(includePassword: true), new Dictionary<string, string>(), options.WorkDirectory, cancellationToken),
                    async sql =>
                    {
                        await using var engine = await PostgresEngine.OpenAsync(server, cancellationToken);
                        return await RunAllAsync(engine, sql, cancellationToken);
                    },
                    $"{schema}.trips",
                    SqlDialect.PostgreSql,
                    cancellationToken));
            }
            finally
            {
                await admin.ExecuteAsync($"DROP SCHEMA IF EXISTS {schema} CASCADE", CancellationToken.None);
            }
        }

        return cases;
    }

    /// <summary>The report: one line per engine with the medians and the ratios, and the goals.</summary>
    public static string Format(IReadOnlyList<BenchmarkCase> cases, int iterations)
    {
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"20 rules (uniqueness, regex, statistics, a where clause); median of {iterations} interleaved runs").AppendLine();
        text.AppendLine("engine                    rows   (a) ours  (b) per rule  (c) limit    a/c    b/c    a/b");
        foreach (var c in cases)
        {
            text.Append(CultureInfo.InvariantCulture, $"{c.Engine,-18} {c.Rows,11:N0} {c.Ours,8:0.000} s {c.PerRule,10:0.000} s {c.Limit,8:0.000} s {c.OursToLimit,6:0.00} {c.PerRuleToLimit,6:0.00} {c.OursToPerRule,6:0.00}").AppendLine();
        }

        text.AppendLine("(a) our engine end to end  (b) one hand-written query per rule  (c) one hand-written aggregate + one GROUP BY");
        foreach (var c in cases)
        {
            var limit = c.OursToLimit <= 1.15 ? "met" : "NOT met";
            var perRule = c.OursToPerRule <= 1.0 ? "met" : "NOT met";
            text.Append(CultureInfo.InvariantCulture, $"{c.Engine}: a/c <= 1.15 {limit} ({c.OursToLimit:0.00}); a <= b {perRule} ({c.OursToPerRule:0.00})").AppendLine();
        }

        return text.ToString();
    }

    private async Task<BenchmarkCase> MeasureAsync(
        string engine,
        long rows,
        Func<Task<ValidationResult>> ours,
        Func<IReadOnlyList<string>, Task<IReadOnlyList<QueryResult>>> handWritten,
        string relation,
        SqlDialect dialect,
        CancellationToken cancellationToken)
    {
        var perRule = PerRuleQueries(relation, dialect);
        var limit = LimitQueries(relation, dialect);
        log($"{engine}: {rows:N0} rows; warming up");

        // The warm-up run also checks that the three variants did the same work.
        var result = await ours();
        if (!result.AllPassed)
        {
            throw new InvalidOperationException($"{engine}: the benchmark rules must all pass on the generated data:\n{ValidationReport.ToText(result)}");
        }

        var perRuleResults = await handWritten(perRule);
        var limitResults = await handWritten(limit);
        var expectedRows = result.Rules[0].EvaluatedMetrics["Dataset.*.RowCount"];
        var zone = result.Rules[9].EvaluatedMetrics["Column.zone.ColumnValues.Compliance"];
        Check(engine, "row count (b)", expectedRows, DbValues.ToDouble(perRuleResults[0].Rows[0][0]) ?? double.NaN);
        Check(engine, "row count (c)", expectedRows, DbValues.ToDouble(limitResults[0].Scalar("n")) ?? double.NaN);
        Check(engine, "zone matches (c)", zone * expectedRows, DbValues.ToDouble(limitResults[0].Scalar("zone_ok")) ?? double.NaN);
        Check(engine, "unique trip ids (c)", expectedRows, DbValues.ToDouble(limitResults[1].Scalar("singletons")) ?? double.NaN);

        var times = (Ours: new List<double>(), PerRule: new List<double>(), Limit: new List<double>());
        for (var i = 0; i < options.Iterations; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            times.Ours.Add(await TimeAsync(ours));
            times.PerRule.Add(await TimeAsync(() => handWritten(perRule)));
            times.Limit.Add(await TimeAsync(() => handWritten(limit)));
            log($"{engine}: run {i + 1}/{options.Iterations}: (a) {times.Ours[^1]:0.000} s, (b) {times.PerRule[^1]:0.000} s, (c) {times.Limit[^1]:0.000} s");
        }

        return new BenchmarkCase(engine, rows, Diagnostics.Measure.Median(times.Ours), Diagnostics.Measure.Median(times.PerRule), Diagnostics.Measure.Median(times.Limit));
    }

    private static void Check(string engine, string what, double expected, double actual)
    {
        if (Math.Abs(expected - actual) > 0.5)
        {
            throw new InvalidOperationException($"{engine}: the hand-written queries disagree with the engine on {what}: {actual} against {expected}");
        }
    }

    private static async Task<double> TimeAsync<T>(Func<Task<T>> run)
    {
        var watch = Stopwatch.StartNew();
        await run();
        return watch.Elapsed.TotalSeconds;
    }

    private static async Task<IReadOnlyList<QueryResult>> RunAllAsync(IQueryEngine engine, IReadOnlyList<string> sql, CancellationToken cancellationToken)
    {
        var results = new List<QueryResult>(sql.Count);
        foreach (var statement in sql)
        {
            results.Add(await engine.QueryAsync(statement, cancellationToken));
        }

        return results;
    }

    private static string Matches(SqlDialect dialect) => dialect.Kind == SqlDialectKind.PostgreSql ? "zone ~ '^Z[0-9]{3}$'" : "regexp_full_match(zone, 'Z[0-9]{3}')";

    /// <summary>(b): what a person writes rule by rule, each its own statement.</summary>
    private static IReadOnlyList<string> PerRuleQueries(string t, SqlDialect dialect) =>
    [
        $"SELECT COUNT(*) FROM {t}",
        $"SELECT COUNT(*) FILTER (WHERE trip_id IS NULL) FROM {t}",
        $"SELECT COUNT(*) FILTER (WHERE c > 1) FROM (SELECT trip_id, COUNT(*) AS c FROM {t} GROUP BY trip_id) g",
        $"SELECT COUNT(*) FILTER (WHERE c > 1 OR trip_id IS NULL) FROM (SELECT trip_id, COUNT(*) AS c FROM {t} GROUP BY trip_id) g",
        $"SELECT COUNT(fare_amount), COUNT(*) FROM {t}",
        $"SELECT COUNT(*) FILTER (WHERE vendor_id NOT IN (1, 2, 3) OR vendor_id IS NULL) FROM {t}",
        $"SELECT COUNT(*) FILTER (WHERE payment_type NOT IN ('card', 'cash', 'no charge', 'dispute') OR payment_type IS NULL) FROM {t}",
        $"SELECT COUNT(*) FILTER (WHERE fare_amount > 0 AND fare_amount < 1000), COUNT(*) FROM {t}",
        $"SELECT COUNT(*) FILTER (WHERE NOT passenger_count <= 9 OR passenger_count IS NULL) FROM {t}",
        $"SELECT COUNT(*) FILTER (WHERE NOT {Matches(dialect)} OR zone IS NULL) FROM {t}",
        $"SELECT COUNT(*) FILTER (WHERE store_and_fwd_flag NOT IN ('Y', 'N') OR store_and_fwd_flag IS NULL) FROM {t}",
        $"SELECT AVG(trip_distance) FROM {t}",
        $"SELECT STDDEV_POP(fare_amount) FROM {t}",
        $"SELECT SUM(tip_amount) FROM {t}",
        $"SELECT COUNT(*) FILTER (WHERE LENGTH(zone) <> 4 OR zone IS NULL) FROM {t}",
        $"SELECT COUNT(DISTINCT vendor_id) FROM {t}",
        $"SELECT CORR(trip_distance, fare_amount) FROM {t}",
        $"SELECT COUNT(*) FILTER (WHERE NOT (pickup_at > TIMESTAMP '2023-12-31 00:00:00' AND pickup_at < TIMESTAMP '2025-01-01 00:00:00') OR pickup_at IS NULL) FROM {t}",
        $"SELECT COUNT(*) FILTER (WHERE tip_amount >= 0), COUNT(*) FROM {t}",
        $"SELECT COUNT(tip_amount), COUNT(*) FROM {t} WHERE payment_type = 'card'",
    ];

    /// <summary>(c): the same metrics as one aggregate a person would hand-tune, plus one GROUP BY.</summary>
    private static IReadOnlyList<string> LimitQueries(string t, SqlDialect dialect) =>
    [
        $"""
        SELECT COUNT(*) AS n,
               COUNT(trip_id) AS trip_id_present,
               COUNT(fare_amount) AS fare_present,
               COUNT(*) FILTER (WHERE vendor_id IN (1, 2, 3)) AS vendor_ok,
               COUNT(*) FILTER (WHERE payment_type IN ('card', 'cash', 'no charge', 'dispute')) AS payment_ok,
               COUNT(*) FILTER (WHERE fare_amount > 0 AND fare_amount < 1000) AS fare_ok,
               COUNT(*) FILTER (WHERE passenger_count <= 9) AS passengers_ok,
               COUNT(*) FILTER (WHERE {Matches(dialect)}) AS zone_ok,
               COUNT(*) FILTER (WHERE store_and_fwd_flag IN ('Y', 'N')) AS flag_ok,
               AVG(trip_distance) AS distance_mean,
               STDDEV_POP(fare_amount) AS fare_stddev,
               SUM(tip_amount) AS tip_sum,
               COUNT(*) FILTER (WHERE LENGTH(zone) = 4) AS zone_length_ok,
               COUNT(DISTINCT vendor_id) AS vendors,
               CORR(trip_distance, fare_amount) AS distance_fare_corr,
               COUNT(*) FILTER (WHERE pickup_at > TIMESTAMP '2023-12-31 00:00:00' AND pickup_at < TIMESTAMP '2025-01-01 00:00:00') AS pickup_ok,
               COUNT(*) FILTER (WHERE tip_amount >= 0) AS tip_ok,
               COUNT(*) FILTER (WHERE payment_type = 'card') AS card,
               COUNT(tip_amount) FILTER (WHERE payment_type = 'card') AS card_tip_present
        FROM {t}
        """,
        $"SELECT COUNT(*) FILTER (WHERE c = 1) AS singletons, COUNT(*) AS trip_ids FROM (SELECT trip_id, COUNT(*) AS c FROM {t} GROUP BY trip_id) g",
    ];

    /// <summary>
    /// Taxi trips, deterministic (hashes of the row number): 1 % of fares NULL, tips 15 % of card
    /// fares, zones Z000-Z999, pickups in 2024.
    /// </summary>
    private static string Trips(long rows) => $"""
        SELECT trip_id, vendor_id, pickup_at, passenger_count, trip_distance, fare_amount,
               CASE WHEN payment_type = 'card' THEN round(fare_amount * 0.15, 2) ELSE 0.0 END AS tip_amount,
               zone, store_and_fwd_flag, payment_type
        FROM (
          SELECT i AS trip_id,
                 CAST(1 + hash(i) % 3 AS INTEGER) AS vendor_id,
                 TIMESTAMP '2024-01-01 00:00:00' + to_seconds(CAST(hash(i * 7) % 31536000 AS BIGINT)) AS pickup_at,
                 CAST(1 + hash(i * 3) % 6 AS INTEGER) AS passenger_count,
                 round(0.5 + CAST(hash(i * 5) % 2000 AS DOUBLE) / 100.0, 2) AS trip_distance,
                 CASE WHEN hash(i * 11) % 100 = 0 THEN NULL
                      ELSE round(3.0 + (0.5 + CAST(hash(i * 5) % 2000 AS DOUBLE) / 100.0) * 2.5 + CAST(hash(i * 13) % 500 AS DOUBLE) / 100.0, 2) END AS fare_amount,
                 'Z' || lpad(CAST(hash(i * 17) % 1000 AS VARCHAR), 3, '0') AS zone,
                 CASE WHEN hash(i * 19) % 10 = 0 THEN 'Y' ELSE 'N' END AS store_and_fwd_flag,
                 ['card', 'cash', 'no charge', 'dispute'][CAST(1 + hash(i * 23) % 4 AS INTEGER)] AS payment_type
          FROM range({rows.ToString(CultureInfo.InvariantCulture)}) r(i)
        )
        """;

    private async Task<string> ParquetAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(options.WorkDirectory, $"trips-{options.ParquetRows.ToString(CultureInfo.InvariantCulture)}.parquet");
        if (File.Exists(path))
        {
            log($"Reusing {path}");
            return path;
        }

        log($"Writing {options.ParquetRows:N0} trips to {path}");
        await using var engine = await DuckDbEngine.OpenAsync(null, cancellationToken);
        var partial = path + ".partial";
        await engine.ExecuteAsync($"COPY ({Trips(options.ParquetRows)}) TO '{partial.Replace("'", "''", StringComparison.Ordinal)}' (FORMAT parquet, COMPRESSION zstd)", cancellationToken);
        File.Move(partial, path, overwrite: true);
        return path;
    }

    private async Task LoadPostgresAsync(PostgresEngine postgres, string schema, CancellationToken cancellationToken)
    {
        log($"Loading {options.PostgresRows:N0} trips into PostgreSQL ({schema}.trips)");
        await postgres.ExecuteAsync($"CREATE SCHEMA {schema}", cancellationToken);
        await postgres.ExecuteAsync(
            $"CREATE TABLE {schema}.trips (trip_id BIGINT, vendor_id INTEGER, pickup_at TIMESTAMP, passenger_count INTEGER, trip_distance DOUBLE PRECISION, " +
            "fare_amount DOUBLE PRECISION, tip_amount DOUBLE PRECISION, zone VARCHAR(8), store_and_fwd_flag VARCHAR(1), payment_type VARCHAR(16))",
            cancellationToken);

        await using var duckDb = await DuckDbEngine.OpenAsync(null, cancellationToken);
        await using (var writer = await postgres.Npgsql.BeginTextImportAsync($"COPY {schema}.trips FROM STDIN (FORMAT csv)", cancellationToken))
        {
            await foreach (var row in duckDb.StreamAsync(Trips(options.PostgresRows), cancellationToken))
            {
                await writer.WriteLineAsync(string.Join(',', row.Select(Csv)).AsMemory(), cancellationToken);
            }
        }

        await postgres.ExecuteAsync($"ANALYZE {schema}.trips", cancellationToken);
    }

    private static string Csv(object? value) => value switch
    {
        null => string.Empty,
        DateTime d => d.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        string s => "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
