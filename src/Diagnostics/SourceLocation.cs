namespace GluePipeline.Diagnostics;

/// <summary>
/// Where a finding points: a file (repository-relative where possible) with a 1-based line and
/// column, or another named source such as a command-line switch.
/// </summary>
/// <param name="Source">The file path or the name of the source (e.g. <c>--lane=foo</c>).</param>
/// <param name="Line">1-based line, or 0 when the source has no lines.</param>
/// <param name="Column">1-based column, or 0 when unknown.</param>
public readonly record struct SourceLocation(string Source, int Line = 0, int Column = 0)
{
    /// <summary>Formats as <c>source:line:col</c>, leaving out the parts that are unknown.</summary>
    public override string ToString() => Line <= 0
        ? Source
        : Column <= 0 ? $"{Source}:{Line}" : $"{Source}:{Line}:{Column}";
}
