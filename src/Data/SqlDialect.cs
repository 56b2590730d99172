using System.Globalization;
using System.Text.RegularExpressions;

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
/// (population standard deviation, full-match and case-sensitive regular expressions, exact string
/// comparison, Spark's castability) are named explicitly per engine.
/// </summary>
public abstract partial class SqlDialect
{
    /// <summary>DuckDB.</summary>
    public static SqlDialect DuckDb { get; } = new DuckDbDialect();

    /// <summary>PostgreSQL.</summary>
    public static SqlDialect PostgreSql { get; } = new PostgreSqlDialect();

    /// <summary>MySQL and MariaDB.</summary>
    public static SqlDialect MySql { get; } = new MySqlDialect();

    /// <summary>Athena (Trino).</summary>
    public static SqlDialect Athena { get; } = new AthenaDialect();

    /// <summary>Which engine this is.</summary>
    public abstract SqlDialectKind Kind { get; }

    /// <summary>A quoted identifier (one name part).</summary>
    public virtual string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A dataset as a relation: a dotted table name quoted part by part, or a query as a subquery.</summary>
    public string Relation(string? table, string? query) =>
        query is not null ? $"({query}) dq_query" : string.Join(".", (table ?? throw new ArgumentNullException(nameof(table))).Split('.').Select(Identifier));

    /// <summary>A string literal.</summary>
    public virtual string String(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A numeric literal, culture-invariant.</summary>
    public virtual string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Counts the rows for which a predicate is true (NULL counts as false); 0 on no rows. The
    /// standard <c>COUNT(*) FILTER (WHERE ...)</c> where the engine has it (cheaper than a CASE per
    /// row on PostgreSQL), a summed CASE elsewhere.
    /// </summary>
    public virtual string CountIf(string predicate) => $"COUNT(*) FILTER (WHERE {predicate})";

    /// <summary>A value converted to a double.</summary>
    public virtual string ToDouble(string expression) => $"CAST({expression} AS DOUBLE)";

    /// <summary>A value converted to text.</summary>
    public virtual string ToText(string expression) => $"CAST({expression} AS VARCHAR)";

    /// <summary>
    /// Text compared byte for byte: case-sensitive and with trailing spaces significant, as Spark
    /// compares strings (MySQL's default collations ignore both).
    /// </summary>
    public virtual string ExactText(string expression) => expression;

    /// <summary>The population standard deviation (Deequ's StandardDeviation: sqrt(m2 / n)).</summary>
    public virtual string StdDevPop(string expression) => $"STDDEV_POP({ToDouble(expression)})";

    /// <summary>The population variance (m2 / n).</summary>
    public virtual string VarPop(string expression) => $"VAR_POP({ToDouble(expression)})";

    /// <summary>Pearson's correlation of two columns over the rows where both are present.</summary>
    public virtual string Correlation(string x, string y) => $"CORR({ToDouble(x)}, {ToDouble(y)})";

    /// <summary>The number of characters of a string.</summary>
    public virtual string Length(string expression) => $"LENGTH({expression})";

    /// <summary>A string without leading and trailing spaces.</summary>
    public virtual string Trim(string expression) => $"TRIM({expression})";

    /// <summary>The natural logarithm.</summary>
    public virtual string Ln(string expression) => $"LN({expression})";

    /// <summary>Whether a string matches a regular expression as a whole, case-sensitively (DQDL's matches).</summary>
    public abstract string FullMatch(string expression, string pattern);

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
    public virtual string TimestampLiteral(DateTime utc) => $"TIMESTAMP '{utc.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}'";

    /// <summary>A date literal.</summary>
    public virtual string DateLiteral(DateOnly date) => $"DATE '{date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}'";

    /// <summary>The hours from a timestamp to another, rounded to 2 decimals (DataFreshness's age).</summary>
    public abstract string HoursBetween(string from, string to);

    /// <summary>Limits a query to its first rows.</summary>
    public virtual string Limit(string query, int rows) => $"{query} LIMIT {rows.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Spark's strings for booleans, which ColumnDataType "BOOLEAN" accepts.</summary>
    protected const string BooleanWords = "'true', 'false', 't', 'f', 'yes', 'no', 'y', 'n', '1', '0'";

    /// <summary>Castability with TRY_CAST (DuckDB, Trino): the trimmed text casts to the type.</summary>
    protected string TryCastable(string expression, string type)
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

    /// <summary>A regular expression anchored to the whole value.</summary>
    /// <remarks>Without an alternation there is nothing to group, and engines match a plain <c>^...$</c> faster.</remarks>
    protected static string Anchored(string pattern) => pattern.Contains('|', StringComparison.Ordinal) ? "^(?:" + pattern + ")$" : "^" + pattern + "$";

    /// <summary>Patterns of Spark's string casts, for engines without TRY_CAST (PostgreSQL, MySQL).</summary>
    protected static string CastPattern(string type)
    {
        var upper = type.ToUpperInvariant();
        if (DecimalType().Match(upper) is { Success: true } m)
        {
            var precision = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            var scale = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            var whole = Math.Max(0, precision - scale);
            return whole == 0 ? @"^[+-]?0*(\.[0-9]*)?$" : $@"^[+-]?[0-9]{{1,{whole.ToString(CultureInfo.InvariantCulture)}}}(\.[0-9]*)?$";
        }

        return upper switch
        {
            "INTEGER" => "^[+-]?[0-9]{1,10}$",
            "LONG" => "^[+-]?[0-9]{1,19}$",
            "DOUBLE" or "FLOAT" => @"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$",
            "DATE" => "^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T].*)?$",
            _ => "^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?$",
        };
    }

    /// <summary>The numeric range check of INTEGER and LONG on a value that matched the pattern.</summary>
    protected string RangeCheck(string text, string type) => type.ToUpperInvariant() switch
    {
        "INTEGER" => $" AND CAST({text} AS DECIMAL(20,0)) BETWEEN -2147483648 AND 2147483647",
        "LONG" => $" AND CAST({text} AS DECIMAL(20,0)) BETWEEN -9223372036854775808 AND 9223372036854775807",
        _ => string.Empty,
    };

    [GeneratedRegex(@"^DECIMAL\(\s*(\d+)\s*,\s*(\d+)\s*\)$", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalType();
}

/// <summary>DuckDB's SQL.</summary>
public sealed class DuckDbDialect : SqlDialect
{
    /// <inheritdoc/>
    public override SqlDialectKind Kind => SqlDialectKind.DuckDb;

    /// <inheritdoc/>
    public override string FullMatch(string expression, string pattern) => $"regexp_full_match({expression}, {String(pattern)})";

    /// <inheritdoc/>
    public override string SafeToDouble(string expression) => $"TRY_CAST({expression} AS DOUBLE)";

    /// <inheritdoc/>
    public override string SafeToTimestamp(string expression) => $"TRY_CAST({expression} AS TIMESTAMP)";

    /// <inheritdoc/>
    public override string SafeToDate(string expression) => $"TRY_CAST({expression} AS DATE)";

    /// <inheritdoc/>
    public override string Castable(string expression, string type) => TryCastable(expression, type);

    /// <inheritdoc/>
    public override string HoursBetween(string from, string to) => $"ROUND((epoch({to}) - epoch({from})) / 3600.0, 2)";
}

/// <summary>PostgreSQL's SQL.</summary>
public sealed class PostgreSqlDialect : SqlDialect
{
    /// <inheritdoc/>
    public override SqlDialectKind Kind => SqlDialectKind.PostgreSql;

    /// <inheritdoc/>
    public override string ToDouble(string expression) => $"CAST({expression} AS DOUBLE PRECISION)";

    /// <inheritdoc/>
    public override string ToText(string expression) => $"CAST({expression} AS TEXT)";

    /// <inheritdoc/>
    public override string Length(string expression) => $"CHAR_LENGTH({expression})";

    /// <inheritdoc/>
    public override string FullMatch(string expression, string pattern) => $"({expression} ~ {String(Anchored(pattern))})";

    /// <inheritdoc/>
    public override string SafeToDouble(string expression) =>
        $"(CASE WHEN TRIM({ToText(expression)}) ~ {String(CastPattern("DOUBLE"))} THEN {ToDouble(ToText(expression))} END)";

    /// <inheritdoc/>
    public override string SafeToTimestamp(string expression) =>
        $"(CASE WHEN {ToText(expression)} ~ {String(CastPattern("TIMESTAMP")[..^1])} THEN CAST({ToText(expression)} AS TIMESTAMP) END)";

    /// <inheritdoc/>
    public override string SafeToDate(string expression) =>
        $"(CASE WHEN {ToText(expression)} ~ {String(CastPattern("DATE"))} THEN CAST(CAST({ToText(expression)} AS TIMESTAMP) AS DATE) END)";

    /// <inheritdoc/>
    public override string Castable(string expression, string type)
    {
        var text = $"TRIM({ToText(expression)})";
        var range = RangeCheck(text, type);
        return type.ToUpperInvariant() == "BOOLEAN"
            ? $"(LOWER({text}) IN ({BooleanWords}))"
            : $"(CASE WHEN {text} ~ {String(CastPattern(type))} THEN {(range.Length == 0 ? "TRUE" : range[" AND ".Length..])} ELSE FALSE END)";
    }

    /// <inheritdoc/>
    public override string HoursBetween(string from, string to) =>
        $"ROUND(CAST(EXTRACT(EPOCH FROM ({to} - {from})) / 3600.0 AS NUMERIC), 2)";
}

/// <summary>MySQL's and MariaDB's SQL.</summary>
public sealed class MySqlDialect : SqlDialect
{
    /// <inheritdoc/>
    public override SqlDialectKind Kind => SqlDialectKind.MySql;

    /// <inheritdoc/>
    public override string Identifier(string name) => "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";

    /// <inheritdoc/>
    public override string String(string value) =>
        "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <inheritdoc/>
    public override string ToText(string expression) => $"CAST({expression} AS CHAR)";

    /// <inheritdoc/>
    public override string ExactText(string expression) => $"BINARY {expression}";

    /// <summary>MySQL and MariaDB have no FILTER clause.</summary>
    public override string CountIf(string predicate) => $"COALESCE(SUM(CASE WHEN {predicate} THEN 1 ELSE 0 END), 0)";

    /// <inheritdoc/>
    public override string Length(string expression) => $"CHAR_LENGTH({expression})";

    /// <summary>MySQL has no CORR: Pearson's r from sums over the rows where both are present.</summary>
    public override string Correlation(string x, string y)
    {
        string Both(string e) => $"CASE WHEN {x} IS NOT NULL AND {y} IS NOT NULL THEN {e} END";
        var dx = ToDouble(x);
        var dy = ToDouble(y);
        var n = $"COUNT({Both("1")})";
        var sx = $"SUM({Both(dx)})";
        var sy = $"SUM({Both(dy)})";
        var sxy = $"SUM({Both($"{dx} * {dy}")})";
        var sxx = $"SUM({Both($"{dx} * {dx}")})";
        var syy = $"SUM({Both($"{dy} * {dy}")})";
        return $"(({n} * {sxy} - {sx} * {sy}) / SQRT(({n} * {sxx} - {sx} * {sx}) * ({n} * {syy} - {sy} * {sy})))";
    }

    /// <inheritdoc/>
    public override string FullMatch(string expression, string pattern) =>
        $"({ToText(expression)} REGEXP {String("(?-i)" + Anchored(pattern))})";

    /// <inheritdoc/>
    public override string NullSafeEqual(string left, string right) => $"({left} <=> {right})";

    /// <inheritdoc/>
    public override string SafeToDouble(string expression) =>
        $"(CASE WHEN TRIM({ToText(expression)}) REGEXP {String(CastPattern("DOUBLE"))} THEN {ToDouble(TrimText(expression))} END)";

    private string TrimText(string expression) => $"TRIM({ToText(expression)})";

    /// <inheritdoc/>
    public override string SafeToTimestamp(string expression) =>
        $"(CASE WHEN {ToText(expression)} REGEXP {String(CastPattern("TIMESTAMP")[..^1])} THEN CAST({ToText(expression)} AS DATETIME(6)) END)";

    /// <inheritdoc/>
    public override string SafeToDate(string expression) =>
        $"(CASE WHEN {ToText(expression)} REGEXP {String(CastPattern("DATE"))} THEN CAST({ToText(expression)} AS DATE) END)";

    /// <inheritdoc/>
    public override string Castable(string expression, string type)
    {
        var text = TrimText(expression);
        return type.ToUpperInvariant() == "BOOLEAN"
            ? $"(LOWER({text}) IN ({BooleanWords}))"
            : $"(CASE WHEN {text} REGEXP {String(CastPattern(type))}{RangeCheck(text, type)} THEN TRUE ELSE FALSE END)";
    }

    /// <inheritdoc/>
    public override string HoursBetween(string from, string to) =>
        $"ROUND(TIMESTAMPDIFF(MICROSECOND, {from}, {to}) / 3600000000.0, 2)";
}

/// <summary>Athena's SQL (Trino).</summary>
public sealed class AthenaDialect : SqlDialect
{
    /// <inheritdoc/>
    public override SqlDialectKind Kind => SqlDialectKind.Athena;

    /// <inheritdoc/>
    public override string FullMatch(string expression, string pattern) => $"regexp_like({expression}, {String(Anchored(pattern))})";

    /// <inheritdoc/>
    public override string SafeToDouble(string expression) => $"TRY_CAST({expression} AS DOUBLE)";

    /// <inheritdoc/>
    public override string SafeToTimestamp(string expression) => $"TRY_CAST({expression} AS TIMESTAMP)";

    /// <inheritdoc/>
    public override string SafeToDate(string expression) => $"TRY_CAST({expression} AS DATE)";

    /// <inheritdoc/>
    public override string Castable(string expression, string type) => TryCastable(expression, type);

    /// <inheritdoc/>
    public override string HoursBetween(string from, string to) =>
        $"ROUND(CAST(date_diff('millisecond', {from}, {to}) AS DOUBLE) / 3600000.0, 2)";
}
