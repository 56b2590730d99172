using System.Globalization;
using GluePipeline.Data;
using GluePipeline.Validation.Dqdl;

namespace GluePipeline.Validation;

/// <summary>
/// The per-row predicates of the row-level rules (ColumnValues, ColumnLength, DataFreshness), in a
/// dialect, with DQDL's NULL behaviour (Deequ's ColumnValuesRule and the Glue parity tests): a NULL
/// row fails every comparison except <c>!=</c>, <c>not in</c> and <c>not between</c> on numbers and
/// strings; for dates it fails them all; ColumnLength reads NULL as length 0.
/// A predicate may be NULL where the answer is "fails": every consumer counts or filters with NULL
/// as false (COUNT FILTER, CASE WHEN, NOT COALESCE(p, FALSE)), so no IS NOT NULL guard is spent
/// on a comparison that is NULL anyway.
/// </summary>
internal sealed class RowPredicates(SqlDialect dialect, DateTime nowUtc)
{
    private string Num(decimal value) => dialect.Number(value);

    /// <summary>ColumnValues with a numeric condition; <paramref name="value"/> is the column as a number.</summary>
    public string Number(string column, string value, NumberCondition condition)
    {
        var literals = condition.Operands.OfType<NumberLiteral>().Select(o => Num(o.Value)).ToArray();
        var hasNull = condition.Operands.Any(o => o is NullNumber);
        var list = string.Join(", ", literals);
        return condition.Operator switch
        {
            ConditionOperator.Equal when hasNull => $"{column} IS NULL",
            ConditionOperator.NotEqual when hasNull => $"{column} IS NOT NULL",
            ConditionOperator.Equal => $"({value} = {literals[0]})",
            ConditionOperator.NotEqual => $"({value} IS NULL OR {value} <> {literals[0]})",
            ConditionOperator.Greater => $"({value} > {literals[0]})",
            ConditionOperator.GreaterOrEqual => $"({value} >= {literals[0]})",
            ConditionOperator.Less => $"({value} < {literals[0]})",
            ConditionOperator.LessOrEqual => $"({value} <= {literals[0]})",
            ConditionOperator.Between => $"({value} > {literals[0]} AND {value} < {literals[1]})",
            ConditionOperator.NotBetween => $"({value} IS NULL OR {value} <= {literals[0]} OR {value} >= {literals[1]})",
            ConditionOperator.In when literals.Length == 0 => $"{column} IS NULL",
            ConditionOperator.In when hasNull => $"({value} IN ({list}) OR {column} IS NULL)",
            ConditionOperator.In => $"({value} IN ({list}))",
            ConditionOperator.NotIn when literals.Length == 0 => $"{column} IS NOT NULL",
            ConditionOperator.NotIn when hasNull => $"({value} NOT IN ({list}) AND {column} IS NOT NULL)",
            ConditionOperator.NotIn => $"({value} IS NULL OR {value} NOT IN ({list}))",
            _ => throw new UnsupportedRuleException($"{condition.Operator} is not a numeric comparison"),
        };
    }

    /// <summary>ColumnValues with a string condition; <paramref name="text"/> is the column as text.</summary>
    public string String(string text, StringCondition condition)
    {
        var exact = dialect.ExactText(text);
        var values = condition.Operands.OfType<StringValue>().Select(v => dialect.String(v.Value)).ToArray();
        var list = string.Join(", ", values);
        var nulls = condition.Operands.Any(o => o is NullString);
        var empty = condition.Operands.Any(o => o is EmptyString);
        var whitespace = condition.Operands.Any(o => o is WhitespacesOnly);
        switch (condition.Operator)
        {
            case ConditionOperator.Equal or ConditionOperator.In:
            {
                var parts = new List<string>();
                if (nulls)
                {
                    parts.Add($"{text} IS NULL");
                }

                if (empty)
                {
                    parts.Add($"{exact} = ''");
                }

                if (whitespace)
                {
                    parts.Add($"({dialect.Length(dialect.Trim(text))} = 0 AND {dialect.Length(text)} > 0)");
                }

                if (values.Length > 0)
                {
                    parts.Add($"({exact} IN ({list}))");
                }

                return parts.Count == 0 ? "1 = 0" : "(" + string.Join(" OR ", parts) + ")";
            }

            case ConditionOperator.NotEqual or ConditionOperator.NotIn:
            {
                var parts = new List<string>();
                if (nulls)
                {
                    parts.Add($"{text} IS NOT NULL");
                }

                if (empty)
                {
                    parts.Add($"({text} IS NULL OR {exact} <> '')");
                }

                if (whitespace)
                {
                    parts.Add($"({text} IS NULL OR {dialect.Length(dialect.Trim(text))} > 0 OR {dialect.Length(text)} = 0)");
                }

                if (values.Length > 0)
                {
                    parts.Add($"({text} IS NULL OR {exact} NOT IN ({list}))");
                }

                return parts.Count == 0 ? "1 = 1" : "(" + string.Join(" AND ", parts) + ")";
            }

            case ConditionOperator.Matches:
                return $"({exact} <> '' AND {dialect.FullMatch(text, ((StringValue)condition.Operands[0]).Value)})";
            case ConditionOperator.NotMatches:
                return $"({exact} <> '' AND NOT {dialect.FullMatch(text, ((StringValue)condition.Operands[0]).Value)})";
            default:
                throw new UnsupportedRuleException($"{condition.Operator} is not a string comparison");
        }
    }

    /// <summary>ColumnValues with a date condition, compared by calendar day; NULL fails every operator.</summary>
    public string Date(string column, string date, DateCondition condition)
    {
        var dates = condition.Operands.Where(o => o is not NullDate).Select(o => dialect.DateLiteral(DateOf(o))).ToArray();
        var hasNull = condition.Operands.Any(o => o is NullDate);
        var list = string.Join(", ", dates);
        return condition.Operator switch
        {
            ConditionOperator.Equal when hasNull => $"{column} IS NULL",
            ConditionOperator.NotEqual when hasNull => $"{column} IS NOT NULL",
            ConditionOperator.Equal => $"({date} = {dates[0]})",
            ConditionOperator.NotEqual => $"({date} <> {dates[0]})",
            ConditionOperator.Greater => $"({date} > {dates[0]})",
            ConditionOperator.GreaterOrEqual => $"({date} >= {dates[0]})",
            ConditionOperator.Less => $"({date} < {dates[0]})",
            ConditionOperator.LessOrEqual => $"({date} <= {dates[0]})",
            ConditionOperator.Between => $"({date} > {dates[0]} AND {date} < {dates[1]})",
            ConditionOperator.NotBetween => $"({date} <= {dates[0]} OR {date} >= {dates[1]})",
            ConditionOperator.In when hasNull => $"({date} IN ({list}) OR {column} IS NULL)",
            ConditionOperator.In => $"({date} IN ({list}))",
            ConditionOperator.NotIn => $"({date} NOT IN ({list}))",
            _ => throw new UnsupportedRuleException($"{condition.Operator} is not a date comparison"),
        };
    }

    /// <summary>
    /// ColumnValues with a date condition on a TIMESTAMP column: the same calendar-day semantics as
    /// <see cref="Date"/>, written as comparisons with midnight boundaries so no row is cast (day
    /// d is the half-open range [d 00:00, d+1 00:00)). IN and NOT IN keep the cast.
    /// </summary>
    public string DateOfTimestamp(string column, string date, DateCondition condition)
    {
        if (condition.Operands.Any(o => o is NullDate) || condition.Operator is ConditionOperator.In or ConditionOperator.NotIn)
        {
            return Date(column, date, condition);
        }

        var days = condition.Operands.Select(DateOf).ToArray();
        string Start(DateOnly day) => dialect.TimestampLiteral(day.ToDateTime(TimeOnly.MinValue));
        string Next(DateOnly day) => Start(day.AddDays(1));
        return condition.Operator switch
        {
            ConditionOperator.Equal => $"({column} >= {Start(days[0])} AND {column} < {Next(days[0])})",
            ConditionOperator.NotEqual => $"({column} < {Start(days[0])} OR {column} >= {Next(days[0])})",
            ConditionOperator.Greater => $"({column} >= {Next(days[0])})",
            ConditionOperator.GreaterOrEqual => $"({column} >= {Start(days[0])})",
            ConditionOperator.Less => $"({column} < {Start(days[0])})",
            ConditionOperator.LessOrEqual => $"({column} < {Next(days[0])})",
            ConditionOperator.Between => $"({column} >= {Next(days[0])} AND {column} < {Start(days[1])})",
            ConditionOperator.NotBetween => $"({column} < {Next(days[0])} OR {column} >= {Start(days[1])})",
            _ => Date(column, date, condition),
        };
    }

    /// <summary>The calendar day a date operand means: <c>(now() - N hours)</c> is taken from the hour, as DQDL does.</summary>
    public DateOnly DateOf(DateOperand operand) => operand switch
    {
        StaticDate s => s.Date,
        NowDate { Offset: null } => DateOnly.FromDateTime(nowUtc),
        NowDate n => DateOnly.FromDateTime(Truncate(nowUtc).AddHours((double)(n.Subtract ? -n.Offset!.Hours : n.Offset!.Hours))),
        _ => throw new UnsupportedRuleException("NULL is not a date"),
    };

    private static DateTime Truncate(DateTime t) => new(t.Year, t.Month, t.Day, t.Hour, 0, 0, DateTimeKind.Utc);

    /// <summary>ColumnLength: the length of the text, NULL reading as 0, against whole numbers.</summary>
    public string Length(string length, NumberCondition condition)
    {
        var n = condition.Operands.OfType<NumberLiteral>().Select(o => Num(o.Value)).ToArray();
        var list = string.Join(", ", n);
        return condition.Operator switch
        {
            ConditionOperator.Equal => $"{length} = {n[0]}",
            ConditionOperator.NotEqual => $"{length} <> {n[0]}",
            ConditionOperator.Greater => $"{length} > {n[0]}",
            ConditionOperator.GreaterOrEqual => $"{length} >= {n[0]}",
            ConditionOperator.Less => $"{length} < {n[0]}",
            ConditionOperator.LessOrEqual => $"{length} <= {n[0]}",
            ConditionOperator.Between => $"({length} > {n[0]} AND {length} < {n[1]})",
            ConditionOperator.NotBetween => $"({length} <= {n[0]} OR {length} >= {n[1]})",
            ConditionOperator.In => $"{length} IN ({list})",
            ConditionOperator.NotIn => $"{length} NOT IN ({list})",
            _ => throw new UnsupportedRuleException($"{condition.Operator} is not a length comparison"),
        };
    }

    /// <summary>DataFreshness: the row's age in hours against durations; NULL (or unreadable) fails.</summary>
    public string Age(string age, DurationCondition condition)
    {
        var h = condition.Operands.Select(d => Num(d.Hours)).ToArray();
        return condition.Operator switch
        {
            ConditionOperator.Equal => $"({age} = {h[0]})",
            ConditionOperator.NotEqual => $"({age} <> {h[0]})",
            ConditionOperator.Greater => $"({age} > {h[0]})",
            ConditionOperator.GreaterOrEqual => $"({age} >= {h[0]})",
            ConditionOperator.Less => $"({age} < {h[0]})",
            ConditionOperator.LessOrEqual => $"({age} <= {h[0]})",
            ConditionOperator.Between => $"({age} > {h[0]} AND {age} < {h[1]})",
            ConditionOperator.NotBetween => $"({age} <= {h[0]} OR {age} >= {h[1]})",
            ConditionOperator.In => $"({age} IN ({string.Join(", ", h)}))",
            ConditionOperator.NotIn => $"({age} NOT IN ({string.Join(", ", h)}))",
            _ => throw new UnsupportedRuleException($"{condition.Operator} is not a duration comparison"),
        };
    }

    /// <summary>For messages: how many hours a duration is.</summary>
    public static string Hours(decimal hours) => hours.ToString("0.####", CultureInfo.InvariantCulture);
}
