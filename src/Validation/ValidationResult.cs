namespace GluePipeline.Validation;

/// <summary>The outcome of a rule, as Glue Data Quality reports it.</summary>
public enum RuleOutcome
{
    /// <summary>The data meets the rule.</summary>
    Passed,

    /// <summary>The data breaks the rule.</summary>
    Failed,

    /// <summary>The rule could not be evaluated (unsupported, a SQL error); never counted as passed.</summary>
    Error,
}

/// <summary>What a query was for, so tests and reports can tell scans from lookups.</summary>
public enum QueryPurpose
{
    /// <summary>Columns and types of a dataset.</summary>
    Schema,

    /// <summary>The one aggregate scan of a dataset that serves every scan-shareable rule.</summary>
    Aggregate,

    /// <summary>One GROUP BY per key set (uniqueness, entropy).</summary>
    Grouping,

    /// <summary>A join with a reference dataset.</summary>
    Reference,

    /// <summary>A CustomSql statement.</summary>
    CustomSql,

    /// <summary>Rows that break a failing rule.</summary>
    Sample,
}

/// <summary>A query the evaluator sent, in order.</summary>
public sealed record IssuedQuery(QueryPurpose Purpose, string Dataset, string Sql);

/// <summary>The result of one rule (composite rules report their parts' metrics together).</summary>
/// <param name="Rule">The rule as written.</param>
/// <param name="Outcome">Passed, Failed or Error.</param>
/// <param name="FailureReason">Why it did not pass, or null.</param>
/// <param name="EvaluatedMetrics">The metrics it was decided on, with Glue's keys (e.g. <c>Column.fare.Completeness</c>).</param>
public sealed record RuleResult(string Rule, RuleOutcome Outcome, string? FailureReason, IReadOnlyDictionary<string, double> EvaluatedMetrics)
{
    /// <summary>Rows that break the rule (bounded; values redacted when asked), each column to value.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Samples { get; init; } = [];

    /// <summary>The rule's labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Line of the rule in its file.</summary>
    public int Line { get; init; }
}

/// <summary>The results of a ruleset on a dataset, in the order of the rules in the file.</summary>
/// <param name="Dataset">The dataset as the user named it.</param>
/// <param name="RulesFile">The rule file.</param>
/// <param name="Rules">One result per rule.</param>
/// <param name="Queries">Every query sent, in order.</param>
public sealed record ValidationResult(string Dataset, string RulesFile, IReadOnlyList<RuleResult> Rules, IReadOnlyList<IssuedQuery> Queries)
{
    /// <summary>Passed rules divided by all rules (Glue's score); 1 for an empty ruleset.</summary>
    public double Score => Rules.Count == 0 ? 1 : (double)Rules.Count(r => r.Outcome == RuleOutcome.Passed) / Rules.Count;

    /// <summary>When the evaluation started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>How long the evaluation took (all rules together: they share their queries).</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Whether every rule passed.</summary>
    public bool AllPassed => Rules.All(r => r.Outcome == RuleOutcome.Passed);
}
