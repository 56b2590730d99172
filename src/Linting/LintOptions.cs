namespace GluePipeline.Linting;

/// <summary>How Lint treats its findings.</summary>
/// <param name="Strict">Whether warnings (security, networking, advice) count as errors (<c>--strict</c>).</param>
public sealed record LintOptions(bool Strict = false);
