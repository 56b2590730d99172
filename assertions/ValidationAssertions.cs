using FluentAssertions;
using FluentAssertions.Execution;
using FluentAssertions.Primitives;
using GluePipeline.Validation.Reconciliation;
using static GluePipeline.Validation.Assertions.Messages;

namespace GluePipeline.Validation.Assertions;

/// <summary>FluentAssertions entry points for validation and reconciliation results (for <c>livetests/</c>).</summary>
public static class ValidationAssertionExtensions
{
    /// <summary>Starts assertions on a validation result: <c>result.Should().AllPass()</c>.</summary>
    public static ValidationResultAssertions Should(this ValidationResult result) => new(result);

    /// <summary>Starts assertions on a reconciliation: <c>reconciliation.Should().Match()</c>.</summary>
    public static ReconciliationResultAssertions Should(this ReconciliationResult result) => new(result);
}

/// <summary>Text FluentAssertions must print as is (its templates give braces a meaning).</summary>
internal static class Messages
{
    public static string Verbatim(string text) => text.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal);
}

/// <summary>Assertions on the results of a ruleset.</summary>
public sealed class ValidationResultAssertions(ValidationResult subject)
    : ReferenceTypeAssertions<ValidationResult, ValidationResultAssertions>(subject)
{
    /// <inheritdoc/>
    protected override string Identifier => "validation result";

    /// <summary>Every rule passed; otherwise the message lists each failing rule with its reason, metrics and sample rows.</summary>
    public AndConstraint<ValidationResultAssertions> AllPass(string because = "", params object[] becauseArgs)
    {
        var failing = Subject.Rules.Where(r => r.Outcome != RuleOutcome.Passed).ToArray();
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(failing.Length == 0)
            .FailWith(Verbatim($"Expected every rule of {Subject.RulesFile} on {Subject.Dataset} to pass") + "{reason}" + Verbatim($", but {failing.Length} of {Subject.Rules.Count} did not:\n{Describe(failing)}"));
        return new AndConstraint<ValidationResultAssertions>(this);
    }

    /// <summary>The rule written as <paramref name="rule"/> had the given outcome.</summary>
    public AndConstraint<ValidationResultAssertions> HaveOutcome(string rule, RuleOutcome outcome, string because = "", params object[] becauseArgs)
    {
        var found = Subject.Rules.FirstOrDefault(r => r.Rule == rule);
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(found is not null)
            .FailWith(Verbatim($"Expected a rule {rule}") + "{reason}" + Verbatim(", but the rules are:\n  " + string.Join("\n  ", Subject.Rules.Select(r => r.Rule))))
            .Then
            .ForCondition(found!.Outcome == outcome)
            .FailWith(Verbatim($"Expected {rule} to be {outcome}") + "{reason}" + Verbatim($", but it was:\n{Describe([found])}"));
        return new AndConstraint<ValidationResultAssertions>(this);
    }

    private static string Describe(IEnumerable<RuleResult> rules) =>
        string.Concat(rules.Select(rule => ValidationReport.Describe(rule, "  ", samples: 5))).TrimEnd();
}

/// <summary>Assertions on a reconciliation of a source with a target.</summary>
public sealed class ReconciliationResultAssertions(ReconciliationResult subject)
    : ReferenceTypeAssertions<ReconciliationResult, ReconciliationResultAssertions>(subject)
{
    /// <inheritdoc/>
    protected override string Identifier => "reconciliation";

    /// <summary>Source and target hold the same rows; otherwise the message lists every difference.</summary>
    public AndConstraint<ReconciliationResultAssertions> Match(string because = "", params object[] becauseArgs)
    {
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(Subject.Matches)
            .FailWith(Verbatim($"Expected {Subject.Source.Name} ({Subject.Source.Rows} rows) and {Subject.Target.Name} ({Subject.Target.Rows} rows) to hold the same data") + "{reason}" + Verbatim(", but:\n  " + string.Join("\n  ", Subject.Differences)));
        return new AndConstraint<ReconciliationResultAssertions>(this);
    }

    /// <summary>Source and target hold different data (for mutation tests).</summary>
    public AndConstraint<ReconciliationResultAssertions> NotMatch(string because = "", params object[] becauseArgs)
    {
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(!Subject.Matches)
            .FailWith(Verbatim($"Expected {Subject.Source.Name} and {Subject.Target.Name} to differ") + "{reason}" + Verbatim($", but they hold the same {Subject.Source.Rows} rows."));
        return new AndConstraint<ReconciliationResultAssertions>(this);
    }
}
