using System.Globalization;

namespace GluePipeline.Data;

/// <summary>The SQL engines the rules compile to.</summary>
public enum SqlDialectKind
{
    /// <summary>DuckDB (embedded; the local lane).</summary>
    DuckDb,

    /// <summary>PostgreSQL (and Redshift's PostgreSQL-shaped SQL locally).</summary>
    PostgreSql,

    /// <summary>MySQL and MariaDB.</summary>
    MySql,

    /// <summary>Amazon Athena (Trino).</summary>
    Athena,
}

/// <summary>
/// The SQL constructs that differ between engines. The rule compiler writes its queries through
/// this class only, so one compiler serves every engine. Definitions that matter for correctness
/// (population standard deviation, full-match regular expressions, UTC "now") are named explicitly.
/// </summary>
public abstract class SqlDialect
{
    /// <summary>DuckDB.</summary>
    public static SqlDialect DuckDb { get; } = new DuckDbDialect();

    /// <summary>Which engine this is.</summary>
    public abstract SqlDialectKind Kind { get; }

    /// <summary>A quoted identifier (one name part).</summary>
    public virtual string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A string literal.</summary>
    public virtual string String(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A numeric literal, culture-invariant.</summary>
    public virtual string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Counts the rows for which a predicate is true (NULL counts as false).</summary>
    public virtual string CountIf(string predicate) => $"SUM(CASE WHEN {predicate} THEN 1 ELSE 0 END)";

    /// <summary>A value converted to a double.</summary>
    public virtual string ToDouble(string expression) => $"CAST({expression} AS DOUBLE)";

    /// <summary>A value converted to text.</summary>
    public virtual string ToText(string expression) => $"CAST({expression} AS VARCHAR)";

    /// <summary>The population standard deviation (Deequ's StandardDeviation: sqrt(m2 / n)).</summary>
    public abstract string StdDevPop(string expression);

    /// <summary>The population variance (m2 / n).</summary>
    public abstract string VarPop(string expression);

    /// <summary>Pearson's correlation of two columns.</summary>
    public virtual string Correlation(string x, string y) => $"CORR({ToDouble(x)}, {ToDouble(y)})";

    /// <summary>The number of characters of a string.</summary>
    public virtual string Length(string expression) => $"LENGTH({expression})";

    /// <summary>A string without leading and trailing spaces.</summary>
    public virtual string Trim(string expression) => $"TRIM({expression})";

    /// <summary>The natural logarithm.</summary>
    public virtual string Ln(string expression) => $"LN({expression})";

    /// <summary>Whether a string matches a regular expression as a whole (DQDL's matches is a full match).</summary>
    public abstract string FullMatch(string expression, string pattern);

    /// <summary>The current time in UTC, as a timestamp without time zone.</summary>
    public abstract string NowUtc { get; }

    /// <summary>A timestamp minus an interval (<paramref name="unit"/>: days, hours or minutes).</summary>
    public abstract string Minus(string timestamp, decimal amount, string unit);

    /// <summary>A value converted to a timestamp (strings in ISO format too).</summary>
    public virtual string ToTimestamp(string expression) => $"CAST({expression} AS TIMESTAMP)";

    /// <summary>Limits a query to its first rows.</summary>
    public virtual string Limit(string query, int rows) => $"{query} LIMIT {rows.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Whether two values are equal, NULL equal to NULL.</summary>
    public virtual string NullSafeEqual(string left, string right) => $"({left} IS NOT DISTINCT FROM {right})";

    /// <summary>A value as a double, or NULL when it is not a number (text columns too).</summary>
    public abstract string SafeToDouble(string expression);

    /// <summary>A value as a timestamp, or NULL when it is not one.</summary>
    public abstract string SafeToTimestamp(string expression);

    /// <summary>A value as a date, or NULL when it is not one.</summary>
    public abstract string SafeToDate(string expression);

    /// <summary>Whether a value can be read as a type (ColumnDataType: BOOLEAN, DATE, TIMESTAMP, INTEGER, LONG, DOUBLE, FLOAT, DECIMAL(p,s)); NULL is not.</summary>
    public abstract string Castable(string expression, string type);

    /// <summary>A timestamp literal (no time zone; the evaluation's "now" in UTC).</summary>
    public virtual string TimestampLiteral(DateTime utc) => $"TIMESTAMP '{utc:yyyy-MM-dd HH:mm:ss.ffffff}'";

    /// <summary>A date literal.</summary>
    public virtual string DateLiteral(DateOnly date) => $"DATE '{date:yyyy-MM-dd}'";

    /// <summary>The hours from a timestamp to another, rounded to 2 decimals (DataFreshness's age).</summary>
    public abstract string HoursBetween(string from, string to);

    /// <summary>The boolean SQL for "true" (some engines lack TRUE).</summary>
    public virtual string True => "TRUE";

    /// <summary>Spark's strings for booleans, which ColumnDataType "BOOLEAN" accepts.</summary>
    protected const string BooleanWords = "'true', 'false', 't', 'f', 'yes', 'no', 'y', 'n', '1', '0'";

    /// <summary>Why a regular expression is written for this engine (escaping of the pattern literal).</summary>
    protected static string Anchored(string pattern) => "^(?:" + pattern + ")$";
}

/// <summary>DuckDB's SQL.</summary>
public sealed class DuckDbDialect : SqlDialect
{
    /// <inheritdoc/>
    public override SqlDialectKind Kind => SqlDialectKind.DuckDb;

    /// <inheritdoc/>
    public override string StdDevPop(string expression) => $"STDDEV_POP({ToDouble(expression)})";

    /// <inheritdoc/>
    public override string VarPop(string expression) => $"VAR_POP({ToDouble(expression)})";

    /// <inheritdoc/>
    public override string FullMatch(string expression, string pattern) => $"regexp_full_match({expression}, {String(pattern)})";

    /// <inheritdoc/>
    public override string NowUtc => "CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP)";

    /// <inheritdoc/>
    public override string Minus(string timestamp, decimal amount, string unit) =>
        $"({timestamp} - INTERVAL ({Number(amount)}) {unit.TrimEnd('s').ToUpperInvariant()})";

    /// <inheritdoc/>
    public override string SafeToDouble(string expression) => $"TRY_CAST({expression} AS DOUBLE)";

    /// <inheritdoc/>
    public override string SafeToTimestamp(string expression) => $"TRY_CAST({expression} AS TIMESTAMP)";

    /// <inheritdoc/>
    public override string SafeToDate(string expression) => $"TRY_CAST({expression} AS DATE)";

    /// <inheritdoc/>
    public override string Castable(string expression, string type)
    {
        var text = $"TRIM(CAST({expression} AS VARCHAR))";
        return type.ToUpperInvariant() switch
        {
            "BOOLEAN" => $"(LOWER({text}) IN ({BooleanWords}))",
            "INTEGER" => $"(TRY_CAST({text} AS INTEGER) IS NOT NULL)",
            "LONG" => $"(TRY_CAST({text} AS BIGINT) IS NOT NULL)",
            "DOUBLE" => $"(TRY_CAST({text} AS DOUBLE) IS NOT NULL)",
            "FLOAT" => $"(TRY_CAST({text} AS REAL) IS NOT NULL)",
            "DATE" => $"(TRY_CAST({text} AS DATE) IS NOT NULL)",
            "TIMESTAMP" => $"(TRY_CAST({text} AS TIMESTAMP) IS NOT NULL)",
            var decimalType => $"(TRY_CAST({text} AS {decimalType}) IS NOT NULL)",
        };
    }

    /// <inheritdoc/>
    public override string HoursBetween(string from, string to) => $"ROUND((epoch({to}) - epoch({from})) / 3600.0, 2)";
}
