using GluePipeline.Diagnostics;

namespace GluePipeline.Validation.Dqdl;

/// <summary>A parsed DQDL rule file.</summary>
/// <param name="Path">The file the rules came from.</param>
/// <param name="Rules">The rules, in file order.</param>
public sealed record DqdlDocument(string Path, IReadOnlyList<DqdlRule> Rules)
{
    /// <summary>The Metadata block (only <c>Version</c> is allowed).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>The dataset the rules are about (DataSources "Primary"), or null.</summary>
    public string? PrimarySource { get; init; }

    /// <summary>Additional data sources named in DataSources.</summary>
    public IReadOnlyList<string> AdditionalSources { get; init; } = [];

    /// <summary>Labels every rule gets unless it sets the same key.</summary>
    public IReadOnlyDictionary<string, string> DefaultLabels { get; init; } = new Dictionary<string, string>();
}

/// <summary>A rule: a simple rule or a composite of two rules.</summary>
public abstract record DqdlRule(SourceLocation Location, string Text)
{
    /// <summary>The simple rules this rule is made of, left to right.</summary>
    public abstract IEnumerable<SimpleRule> Leaves();
}

/// <summary>How a composite rule combines its parts.</summary>
public enum CompositeOperator
{
    /// <summary>Both must pass.</summary>
    And,

    /// <summary>Either must pass.</summary>
    Or,
}

/// <summary><c>(A) and (B)</c> or <c>(A) or (B)</c>.</summary>
public sealed record CompositeRule(SourceLocation Location, string Text, CompositeOperator Operator, DqdlRule Left, DqdlRule Right) : DqdlRule(Location, Text)
{
    /// <inheritdoc/>
    public override IEnumerable<SimpleRule> Leaves() => Left.Leaves().Concat(Right.Leaves());
}

/// <summary>One rule type applied to its arguments, with its condition, where clause, threshold and labels.</summary>
public sealed record SimpleRule(
    SourceLocation Location,
    string Text,
    RuleType Type,
    IReadOnlyList<string> Arguments,
    Condition? Condition,
    string? Where,
    NumberCondition? Threshold) : DqdlRule(Location, Text)
{
    /// <summary>The rule's labels (default labels merged in).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Other <c>with &lt;tag&gt; = value</c> settings (e.g. a date <c>format</c>).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <inheritdoc/>
    public override IEnumerable<SimpleRule> Leaves() => [this];
}

/// <summary>The comparison of a condition.</summary>
public enum ConditionOperator
{
    /// <summary><c>= x</c>.</summary>
    Equal,

    /// <summary><c>!= x</c>.</summary>
    NotEqual,

    /// <summary><c>&gt; x</c>.</summary>
    Greater,

    /// <summary><c>&gt;= x</c>.</summary>
    GreaterOrEqual,

    /// <summary><c>&lt; x</c>.</summary>
    Less,

    /// <summary><c>&lt;= x</c>.</summary>
    LessOrEqual,

    /// <summary><c>between a and b</c>: both ends excluded.</summary>
    Between,

    /// <summary><c>not between a and b</c>: <c>&lt;= a or &gt;= b</c>.</summary>
    NotBetween,

    /// <summary><c>in [..]</c>.</summary>
    In,

    /// <summary><c>not in [..]</c>.</summary>
    NotIn,

    /// <summary><c>matches "regex"</c>: the whole value.</summary>
    Matches,

    /// <summary><c>not matches "regex"</c>.</summary>
    NotMatches,
}

/// <summary>A condition on a metric or on each row.</summary>
public abstract record Condition(SourceLocation Location, ConditionOperator Operator);

/// <summary>A numeric condition.</summary>
public sealed record NumberCondition(SourceLocation Location, ConditionOperator Operator, IReadOnlyList<NumberOperand> Operands) : Condition(Location, Operator);

/// <summary>A string condition (values, NULL, EMPTY, WHITESPACES_ONLY, or a regex for matches).</summary>
public sealed record StringCondition(SourceLocation Location, ConditionOperator Operator, IReadOnlyList<StringOperand> Operands) : Condition(Location, Operator);

/// <summary>A date condition (static dates, <c>now()</c> with offsets, NULL).</summary>
public sealed record DateCondition(SourceLocation Location, ConditionOperator Operator, IReadOnlyList<DateOperand> Operands) : Condition(Location, Operator);

/// <summary>A duration condition (DataFreshness: <c>&lt;= 24 hours</c>).</summary>
public sealed record DurationCondition(SourceLocation Location, ConditionOperator Operator, IReadOnlyList<Duration> Operands) : Condition(Location, Operator);

/// <summary>A numeric operand: a literal, NULL, arithmetic, or a function call (dynamic rules).</summary>
public abstract record NumberOperand;

/// <summary>A number.</summary>
public sealed record NumberLiteral(decimal Value) : NumberOperand;

/// <summary>NULL.</summary>
public sealed record NullNumber : NumberOperand;

/// <summary><c>a + b</c>, <c>a - b</c>, <c>a * b</c>, <c>a / b</c> (one precedence level, left to right, as in DQDL).</summary>
public sealed record BinaryNumber(char Operator, NumberOperand Left, NumberOperand Right) : NumberOperand;

/// <summary><c>avg(last(10))</c> and the like: dynamic rules that need the history of earlier runs.</summary>
public sealed record FunctionNumber(string Name, IReadOnlyList<NumberOperand> Arguments) : NumberOperand;

/// <summary>A string operand.</summary>
public abstract record StringOperand;

/// <summary>A string value (for matches, the regular expression).</summary>
public sealed record StringValue(string Value) : StringOperand;

/// <summary>The NULL keyword.</summary>
public sealed record NullString : StringOperand;

/// <summary>The EMPTY keyword: the empty string.</summary>
public sealed record EmptyString : StringOperand;

/// <summary>The WHITESPACES_ONLY keyword: a non-empty string of spaces.</summary>
public sealed record WhitespacesOnly : StringOperand;

/// <summary>A date operand.</summary>
public abstract record DateOperand;

/// <summary>A calendar date, <c>"2024-01-31"</c>.</summary>
public sealed record StaticDate(DateOnly Date) : DateOperand;

/// <summary><c>now()</c>, optionally plus or minus a duration.</summary>
public sealed record NowDate(Duration? Offset, bool Subtract) : DateOperand;

/// <summary>NULL.</summary>
public sealed record NullDate : DateOperand;

/// <summary>A duration: <c>3 days</c>, <c>24 hours</c>, <c>30 minutes</c>.</summary>
public sealed record Duration(decimal Amount, string Unit)
{
    /// <summary>The duration in hours.</summary>
    public decimal Hours => Unit switch
    {
        "days" => Amount * 24,
        "minutes" => Math.Round(Amount / 60, 4, MidpointRounding.AwayFromZero),
        _ => Amount,
    };

    /// <inheritdoc/>
    public override string ToString() => $"{Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)} {Unit}";
}
