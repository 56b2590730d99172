namespace GluePipeline.Validation.Dqdl;

/// <summary>What a rule's condition may be.</summary>
[Flags]
public enum ConditionKinds
{
    /// <summary>No condition (the rule is a yes/no check).</summary>
    None = 1,

    /// <summary>A numeric condition on a metric or a value.</summary>
    Number = 2,

    /// <summary>A string condition.</summary>
    String = 4,

    /// <summary>A date condition.</summary>
    Date = 8,

    /// <summary>A duration condition.</summary>
    Duration = 16,
}

/// <summary>A DQDL rule type and what it accepts (awslabs/dqdl rules-config.json).</summary>
/// <param name="Name">The rule type, e.g. <c>ColumnValues</c>.</param>
/// <param name="Arguments">The argument names; the last repeats when <paramref name="VarArgs"/>.</param>
/// <param name="Conditions">The conditions it accepts.</param>
/// <param name="WhereAllowed">Whether <c>where "..."</c> is allowed.</param>
/// <param name="ThresholdAllowed">Whether <c>with threshold</c> is allowed.</param>
/// <param name="Supported">Whether this engine evaluates it (else an Error outcome says why).</param>
/// <param name="VarArgs">Whether the last argument may repeat.</param>
/// <param name="MinArguments">The fewest arguments (for optional trailing ones).</param>
public sealed record RuleType(
    string Name,
    IReadOnlyList<string> Arguments,
    ConditionKinds Conditions,
    bool WhereAllowed,
    bool ThresholdAllowed,
    bool Supported = true,
    bool VarArgs = false,
    int? MinArguments = null)
{
    /// <summary>The fewest arguments the rule takes.</summary>
    public int Min => MinArguments ?? Arguments.Count;

    /// <summary>The most arguments the rule takes (unbounded for var-args).</summary>
    public int Max => VarArgs ? int.MaxValue : Arguments.Count;

    /// <summary>How the rule is written, for error messages.</summary>
    public string Usage => Name + string.Concat(Arguments.Select(a => $" \"{a}\"")) + (VarArgs ? " ..." : string.Empty) + Conditions switch
    {
        ConditionKinds.None => string.Empty,
        _ when Conditions.HasFlag(ConditionKinds.Number) && Conditions.HasFlag(ConditionKinds.None) => " [> 0.9]",
        _ when Conditions.HasFlag(ConditionKinds.Duration) => " <= 24 hours",
        _ when Conditions.HasFlag(ConditionKinds.String) && Conditions.HasFlag(ConditionKinds.Number) => " in [\"a\", \"b\"] | > 0 | between 1 and 9",
        _ when Conditions.HasFlag(ConditionKinds.String) => " = \"INTEGER\"",
        _ => " > 0.9",
    };
}

/// <summary>The rule types DQDL defines, and which of them this engine evaluates.</summary>
public static class RuleTypes
{
    private const bool W = true;
    private const bool NoWhere = false;
    private const bool T = true;
    private const bool NoThreshold = false;

    /// <summary>Every rule type by name.</summary>
    public static IReadOnlyDictionary<string, RuleType> All { get; } = new[]
    {
        new RuleType("RowCount", [], ConditionKinds.Number, W, NoThreshold),
        new RuleType("RowCountMatch", ["ReferenceDatasetAlias"], ConditionKinds.Number, NoWhere, NoThreshold),
        new RuleType("ColumnCount", [], ConditionKinds.Number, NoWhere, NoThreshold),
        new RuleType("Completeness", ["TargetColumn"], ConditionKinds.Number, W, NoThreshold),
        new RuleType("IsComplete", ["TargetColumn"], ConditionKinds.None, W, NoThreshold),
        new RuleType("ColumnDataType", ["TargetColumn"], ConditionKinds.String, W, T),
        new RuleType("ColumnNamesMatchPattern", ["PatternToMatch"], ConditionKinds.None, NoWhere, NoThreshold),
        new RuleType("ColumnExists", ["TargetColumn"], ConditionKinds.None, NoWhere, NoThreshold),
        new RuleType("ColumnCorrelation", ["TargetColumn1", "TargetColumn2"], ConditionKinds.Number, W, NoThreshold),
        new RuleType("Uniqueness", ["TargetColumn"], ConditionKinds.Number, W, NoThreshold, VarArgs: true),
        new RuleType("IsUnique", ["TargetColumn"], ConditionKinds.None, W, NoThreshold, VarArgs: true),
        new RuleType("IsPrimaryKey", ["TargetColumn"], ConditionKinds.None, W, NoThreshold, VarArgs: true),
        new RuleType("Mean", ["TargetColumn"], ConditionKinds.Number, W, NoThreshold),
        new RuleType("Sum", ["TargetColumn"], ConditionKinds.Number, W, NoThreshold),
        new RuleType("StandardDeviation", ["TargetColumn"], ConditionKinds.Number, W, NoThreshold),
        new RuleType("Variance", ["TargetColumn"], ConditionKinds.Number, W, NoThreshold),
        new RuleType("Range", ["TargetColumn"], ConditionKinds.Number, W, NoThreshold),
        new RuleType("Entropy", ["TargetColumn"], ConditionKinds.Number, W, NoThreshold),
        new RuleType("DistinctValuesCount", ["TargetColumn"], ConditionKinds.Number, W, NoThreshold),
        new RuleType("UniqueValueRatio", ["TargetColumn"], ConditionKinds.Number, W, NoThreshold),
        new RuleType("ColumnLength", ["TargetColumn"], ConditionKinds.Number, W, NoThreshold),
        new RuleType("ColumnValues", ["TargetColumn"], ConditionKinds.Number | ConditionKinds.String | ConditionKinds.Date, W, T),
        new RuleType("DataFreshness", ["TargetColumn"], ConditionKinds.Duration, W, NoThreshold),
        new RuleType("CustomSql", ["CustomSqlStatement"], ConditionKinds.Number | ConditionKinds.None, NoWhere, T),
        new RuleType("ReferentialIntegrity", ["PrimaryDatasetColumns", "ReferenceDatasetColumns"], ConditionKinds.Number, NoWhere, NoThreshold),
        new RuleType("DatasetMatch", ["ReferenceDatasetAlias", "KeyColumnMappings", "MatchColumnMappings"], ConditionKinds.Number, NoWhere, NoThreshold, MinArguments: 2),
        new RuleType("SchemaMatch", ["ReferenceDatasetAlias"], ConditionKinds.Number, NoWhere, NoThreshold),
        new RuleType("AggregateMatch", ["AggregateExpression1", "AggregateExpression2"], ConditionKinds.Number, NoWhere, NoThreshold),
        new RuleType("DetectAnomalies", ["MetricParameter"], ConditionKinds.None, NoWhere, NoThreshold, Supported: false, VarArgs: true),
        new RuleType("FileMatch", ["DataPath", "CompareDataPath"], ConditionKinds.None, NoWhere, NoThreshold, Supported: false, MinArguments: 0),
        new RuleType("FileUniqueness", ["DataPath"], ConditionKinds.Number, NoWhere, NoThreshold, Supported: false, MinArguments: 0),
        new RuleType("FileFreshness", ["DataPath"], ConditionKinds.Date | ConditionKinds.Duration, NoWhere, T, Supported: false, MinArguments: 0),
        new RuleType("FileSize", ["DataPath"], ConditionKinds.Number, NoWhere, T, Supported: false, MinArguments: 0),
    }.ToDictionary(r => r.Name, StringComparer.Ordinal);
}
