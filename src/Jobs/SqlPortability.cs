using System.Text;
using System.Text.RegularExpressions;
using GluePipeline.Diagnostics;

namespace GluePipeline.Jobs;

/// <summary>
/// The constructs of a transform that DuckDB (the local runtime) accepts but the Spark SQL of Glue
/// 4.0 (Spark 3.3) and 5.0 (Spark 3.5) rejects or reads differently, each with the form both accept.
/// A transform that passes locally with one of them would fail - or, worse, compute something else -
/// on Glue. Checked against the Spark 3.3 SQL reference; constructs both accept (ILIKE, FILTER,
/// IS DISTINCT FROM, struct.field, regexp_extract, max_by, ...) are not listed.
/// </summary>
public static partial class SqlPortability
{
    /// <summary>Rule id of a non-portable construct.</summary>
    public const string Rule = "JOB-SQL-PORTABLE";

    /// <param name="Pattern">What to look for, on one line of code (comments and strings blanked).</param>
    /// <param name="Message">Why it is not portable.</param>
    /// <param name="Fix">The form both accept.</param>
    /// <param name="StatementStart">Whether it only counts as the first word of a statement.</param>
    private sealed record Construct(Regex Pattern, string Message, string Fix, bool StatementStart = false);

    private static readonly Construct[] Constructs =
    [
        new(new Regex(@"::\s*[A-Za-z]", RegexOptions.CultureInvariant), "'::' casts are DuckDB's and PostgreSQL's; Spark 3.3/3.5 has none (Spark 4 added them)", "write CAST(x AS type)"),
        new(new Regex(@"\bregexp_matches\s*\(", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "regexp_matches is DuckDB's; Spark has no such function", "write regexp_extract(x, 'pattern', 0) <> '' (a match anywhere)"),
        new(new Regex(@"\bregexp_full_match\s*\(", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "regexp_full_match is DuckDB's; Spark has no such function", "write regexp_extract(x, '^(pattern)$', 0) <> ''"),
        new(new Regex(@"\b(list_contains|array_has|list_has)\s*\(", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "this list function is DuckDB's", "write array_contains(array, value), which both have"),
        new(new Regex(@"(^|[=,(\s])\[\s*[^\]\s]", RegexOptions.CultureInvariant), "'[a, b]' list literals are DuckDB's; Spark writes array(a, b), which DuckDB lacks", "for membership write x IN (a, b); otherwise build the list in the source"),
        new(new Regex(@"[A-Za-z0-9_)\]]\s*\[\s*-?\d+\s*\]", RegexOptions.CultureInvariant), "x[n] reads element n counting from 1 in DuckDB and from 0 in Spark: the same SQL reads different elements", "unnest the array in the source (json: {unnest: field}) or use struct fields; there is no subscript both read alike"),
        new(new Regex(@"\bstrftime\s*\(", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "strftime is DuckDB's; Spark formats dates with date_format and Java patterns", "use year(), month(), dayofmonth(), hour(), CAST(x AS DATE) or CAST(x AS STRING), which both have"),
        new(new Regex(@"\bstrptime\s*\(", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "strptime is DuckDB's; Spark parses with to_timestamp and Java patterns", "write CAST(x AS TIMESTAMP) for ISO-8601 text (yyyy-MM-dd HH:mm:ss), which both read"),
        new(new Regex(@"\*\s*EXCLUDE\s*\(", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "SELECT * EXCLUDE (...) is DuckDB's; Spark 3.3/3.5 has no EXCLUDE", "list the columns you keep"),
        new(new Regex(@"\*\s*REPLACE\s*\(", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "SELECT * REPLACE (...) is DuckDB's; Spark has no REPLACE clause", "list the columns, with the replaced one as an expression AS its name"),
        new(new Regex(@"\b(GROUP|ORDER)\s+BY\s+ALL\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "GROUP BY ALL / ORDER BY ALL are DuckDB's; Spark 3.3/3.5 has neither", "list the columns (or their positions: GROUP BY 1, 2)"),
        new(new Regex(@"\bQUALIFY\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "QUALIFY is DuckDB's; open-source Spark has none", "filter in an outer query: SELECT * FROM (SELECT ..., row_number() OVER (...) AS rn FROM t) WHERE rn = 1"),
        new(new Regex(@"\bDISTINCT\s+ON\s*\(", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "DISTINCT ON is DuckDB's and PostgreSQL's; Spark has none", "keep one row per key with row_number() OVER (PARTITION BY key ORDER BY ...) = 1 in an outer query"),
        new(new Regex(@"^\s*FROM\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "a query that starts with FROM is DuckDB's shorthand", "start with SELECT ... FROM", StatementStart: true),
        new(new Regex("\"[^\"\\n]*\"", RegexOptions.CultureInvariant), "double quotes name a column in DuckDB but write a string in Spark: \"total\" is the text 'total' on Glue", "write strings in single quotes and leave column names unquoted (rename awkward ones with AS in an inner query)"),
        new(new Regex(@"->>?", RegexOptions.CultureInvariant), "the -> and ->> JSON operators are DuckDB's (in Spark -> is a lambda)", "read JSON sources with format: json, whose fields become columns (a.b for nested ones)"),
        new(new Regex(@"\blen\s*\(", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "len() is DuckDB's name; Spark 3.3 has no len", "write length(x), which both have"),
        new(new Regex(@"\b(arg_max|arg_min|argmax|argmin)\s*\(", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "arg_max/arg_min are DuckDB's names", "write max_by(x, y) / min_by(x, y), which both have"),
        new(new Regex(@"\bany_value\s*\(", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "any_value arrived in Spark 3.4; Glue 4 runs Spark 3.3", "write first(x), which both have"),
        new(new Regex(@"\bhash\s*\(", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "hash() exists in both but computes different values (DuckDB's hash against Spark's Murmur3): keys and buckets would differ between the lanes", "write md5(CAST(x AS STRING)), which gives the same hex text in both"),
        new(new Regex(@"\b(HUGEINT|UHUGEINT|UBIGINT|UINTEGER|USMALLINT|UTINYINT)\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "this integer type is DuckDB's", "use BIGINT, or DECIMAL(38, 0) for larger numbers"),
        new(new Regex(@"\bAS\s+(TEXT|VARCHAR|CHARACTER\s+VARYING)\b(?!\s*\()", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "Spark has no TEXT type and needs a length for VARCHAR", "write CAST(x AS STRING), which both read"),
        new(new Regex(@"\b(TIMESTAMPTZ|TIMESTAMP\s+WITH\s+TIME\s+ZONE)\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "Spark 3.3 has no TIMESTAMP WITH TIME ZONE (its TIMESTAMP is in the session's zone)", "use TIMESTAMP, with UTC values"),
        new(new Regex(@"(?<![/*])//(?![/*])", RegexOptions.CultureInvariant), "// is DuckDB's integer division; Spark writes DIV, which DuckDB lacks", "write CAST(floor(a / b) AS BIGINT)"),
        new(new Regex(@"\bOFFSET\s+\d", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "OFFSET arrived in Spark 3.4; Glue 4 runs Spark 3.3", "number the rows with row_number() OVER (ORDER BY ...) and filter in an outer query"),
        new(new Regex(@"\bUSING\s+SAMPLE\b|\bTABLESAMPLE\s+\d+\s*%", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "this sampling syntax is DuckDB's", "sample downstream, or filter on a key (e.g. id % 10 = 0)"),
        new(new Regex(@"\bunnest\s*\(", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "unnest() is DuckDB's; Spark explodes arrays with explode or LATERAL VIEW, which DuckDB lacks", "let the source do it: json: {unnest: field} gives one row per element in both runtimes"),
        new(new Regex(@"\b(today|current_localtimestamp|current_localtime)\s*\(", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "this clock function is DuckDB's", "write current_date or current_timestamp, which both have"),
        new(new Regex(@"\b(read_csv|read_csv_auto|read_json|read_json_auto|read_parquet|parquet_scan|glob)\s*\(", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "the transform reads files itself with a DuckDB table function; on Glue only the sources exist", "declare the files as a source in job.yaml and select from its view"),
        new(new Regex(@"\bPIVOT\s+[A-Za-z_][A-Za-z0-9_]*\s+ON\b|\bUNPIVOT\s+[A-Za-z_][A-Za-z0-9_]*\s+ON\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "PIVOT t ON ... is DuckDB's form; Spark writes PIVOT (agg FOR col IN (...)), which DuckDB lacks", "aggregate with CASE: sum(CASE WHEN k = 'a' THEN v END) AS a"),
        new(new Regex(@"^\s*(CREATE|INSERT|UPDATE|DELETE|COPY|ATTACH|PRAGMA|SET|INSTALL|LOAD|DROP|ALTER)\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), "a transform is one SELECT; statements that change things do not run on Glue", "write one SELECT; the sink writes its result", StatementStart: true),
    ];

    /// <summary>The non-portable constructs of a transform, each at its line and column.</summary>
    public static IReadOnlyList<Diagnostic> Check(string displayPath, string sql)
    {
        var masked = Mask(sql);
        var findings = new List<Diagnostic>();
        var lines = masked.Split('\n');
        var starts = StatementStarts(lines);
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (var construct in Constructs)
            {
                if (construct.StatementStart)
                {
                    if (starts.TryGetValue(i, out var offset) && construct.Pattern.Match(lines[i][offset..]) is { Success: true } first)
                    {
                        findings.Add(Diagnostic.Error(new SourceLocation(displayPath, i + 1, offset + first.Value.TakeWhile(char.IsWhiteSpace).Count() + 1), Rule, construct.Message, construct.Fix));
                    }

                    continue;
                }

                foreach (Match match in construct.Pattern.Matches(lines[i]))
                {
                    var column = match.Index + match.Value.TakeWhile(c => c is '(' or ',' or '=' or ';' || char.IsWhiteSpace(c)).Count();
                    findings.Add(Diagnostic.Error(new SourceLocation(displayPath, i + 1, column + 1), Rule, construct.Message, construct.Fix));
                }
            }
        }

        return findings;
    }

    /// <summary>Where statements start: the first code of the text and the first code after each ';' (line to column).</summary>
    private static Dictionary<int, int> StatementStarts(string[] lines)
    {
        var starts = new Dictionary<int, int>();
        var expecting = true;
        for (var i = 0; i < lines.Length; i++)
        {
            for (var c = 0; c < lines[i].Length; c++)
            {
                var ch = lines[i][c];
                if (ch == ';')
                {
                    expecting = true;
                }
                else if (!char.IsWhiteSpace(ch) && expecting)
                {
                    starts.TryAdd(i, c);
                    expecting = false;
                }
            }
        }

        return starts;
    }

    /// <summary>The SQL with comments and single-quoted strings blanked (positions kept), so only code is checked.</summary>
    private static string Mask(string sql)
    {
        var text = new StringBuilder(sql.Length);
        var i = 0;
        while (i < sql.Length)
        {
            if (sql[i] == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                while (i < sql.Length && sql[i] != '\n')
                {
                    text.Append(' ');
                    i++;
                }
            }
            else if (sql[i] == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? sql.Length : end + 2;
                for (; i < end; i++)
                {
                    text.Append(sql[i] == '\n' ? '\n' : ' ');
                }
            }
            else if (sql[i] == '\'')
            {
                text.Append('\'');
                i++;
                while (i < sql.Length)
                {
                    if (sql[i] == '\'' && i + 1 < sql.Length && sql[i + 1] == '\'')
                    {
                        text.Append("  ");
                        i += 2;
                    }
                    else if (sql[i] == '\'')
                    {
                        break;
                    }
                    else
                    {
                        text.Append(sql[i] == '\n' ? '\n' : ' ');
                        i++;
                    }
                }

                if (i < sql.Length)
                {
                    text.Append('\'');
                    i++;
                }
            }
            else
            {
                text.Append(sql[i]);
                i++;
            }
        }

        return text.ToString();
    }
}
