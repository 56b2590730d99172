using System.Globalization;
using GluePipeline.Validation.Dqdl;

namespace GluePipeline.Validation;

/// <summary>A DQDL feature this engine does not evaluate; the rule becomes an Error outcome with this reason.</summary>
public sealed class UnsupportedRuleException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UnsupportedRuleException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public UnsupportedRuleException()
        : this("The rule is not supported")
    {
    }

    /// <summary>Creates the exception.</summary>
    public UnsupportedRuleException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Decides numeric conditions on metric values exactly as DQDL does (awslabs/dqdl
/// NumberBasedCondition): <c>between</c> excludes both ends, <c>not between</c> is
/// <c>&lt;= a or &gt;= b</c>, and <c>=</c> and <c>in</c> allow a difference of 1e-5.
/// </summary>
public static class MetricConditions
{
    private const double Tolerance = 1e-5;

    /// <summary>Whether a metric value meets the condition (NaN and missing values never do).</summary>
    public static bool Holds(NumberCondition condition, double? metric)
    {
        var operands = condition.Operands.Select(Evaluate).ToArray();
        if (metric is not { } m || double.IsNaN(m))
        {
            // "= NULL" asks for a missing metric; every other comparison with a missing metric fails.
            return condition.Operator == ConditionOperator.Equal && operands is [null];
        }

        bool Equal(double? x) => x is { } v && Math.Abs(m - v) <= Tolerance;
        return condition.Operator switch
        {
            ConditionOperator.Greater => operands[0] is { } a && m > a,
            ConditionOperator.GreaterOrEqual => operands[0] is { } a && m >= a,
            ConditionOperator.Less => operands[0] is { } a && m < a,
            ConditionOperator.LessOrEqual => operands[0] is { } a && m <= a,
            ConditionOperator.Equal => Equal(operands[0]),
            ConditionOperator.NotEqual => !Equal(operands[0]),
            ConditionOperator.Between => operands[0] is { } low && operands[1] is { } high && low < m && m < high,
            ConditionOperator.NotBetween => operands[0] is { } low && operands[1] is { } high && (m <= low || m >= high),
            ConditionOperator.In => operands.Any(Equal),
            ConditionOperator.NotIn => !operands.Any(Equal),
            _ => false,
        };
    }

    /// <summary>The value of an operand (NULL is null); dynamic-rule functions are not supported.</summary>
    public static double? Evaluate(NumberOperand operand) => operand switch
    {
        NumberLiteral n => (double)n.Value,
        NullNumber => null,
        BinaryNumber b => Evaluate(b.Left) is { } l && Evaluate(b.Right) is { } r
            ? b.Operator switch { '+' => l + r, '-' => l - r, '*' => l * r, _ => r == 0 ? double.NaN : l / r }
            : null,
        FunctionNumber f => throw new UnsupportedRuleException($"{f.Name}(...) makes this a dynamic rule, which compares with the results of earlier runs; this engine keeps no history, so write a fixed value"),
        _ => null,
    };

    /// <summary>How a condition reads in a failure reason.</summary>
    public static string Describe(Condition condition) => condition switch
    {
        NumberCondition n => Describe(n.Operator, n.Operands.Select(Describe).ToArray()),
        StringCondition s => Describe(s.Operator, s.Operands.Select(o => o switch
        {
            StringValue v => "\"" + v.Value + "\"",
            NullString => "NULL",
            EmptyString => "EMPTY",
            _ => "WHITESPACES_ONLY",
        }).ToArray()),
        DateCondition d => Describe(d.Operator, d.Operands.Select(o => o switch
        {
            StaticDate sd => "\"" + sd.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "\"",
            NowDate { Offset: null } => "now()",
            NowDate nd => $"(now() {(nd.Subtract ? "-" : "+")} {nd.Offset})",
            _ => "NULL",
        }).ToArray()),
        DurationCondition du => Describe(du.Operator, du.Operands.Select(o => o.ToString()).ToArray()),
        _ => string.Empty,
    };

    private static string Describe(NumberOperand operand) => operand switch
    {
        NumberLiteral n => n.Value.ToString(CultureInfo.InvariantCulture),
        NullNumber => "NULL",
        BinaryNumber b => $"({Describe(b.Left)} {b.Operator} {Describe(b.Right)})",
        FunctionNumber f => $"{f.Name}({string.Join(", ", f.Arguments.Select(Describe))})",
        _ => "?",
    };

    private static string Describe(ConditionOperator op, string[] operands) => op switch
    {
        ConditionOperator.Equal => "= " + operands[0],
        ConditionOperator.NotEqual => "!= " + operands[0],
        ConditionOperator.Greater => "> " + operands[0],
        ConditionOperator.GreaterOrEqual => ">= " + operands[0],
        ConditionOperator.Less => "< " + operands[0],
        ConditionOperator.LessOrEqual => "<= " + operands[0],
        ConditionOperator.Between => $"between {operands[0]} and {operands[1]}",
        ConditionOperator.NotBetween => $"not between {operands[0]} and {operands[1]}",
        ConditionOperator.In => $"in [{string.Join(", ", operands)}]",
        ConditionOperator.NotIn => $"not in [{string.Join(", ", operands)}]",
        ConditionOperator.Matches => "matches " + operands[0],
        _ => "not matches " + operands[0],
    };
}
