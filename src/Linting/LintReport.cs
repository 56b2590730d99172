using System.Text.Json;
using System.Text.Json.Serialization;
using GluePipeline.Diagnostics;

namespace GluePipeline.Linting;

/// <summary>The findings of one Lint run and the exit code they imply (ARCHITECTURE.md).</summary>
public sealed class LintReport
{
    /// <summary>Creates a report.</summary>
    /// <param name="findings">Every finding, sorted by file, line and column.</param>
    /// <param name="filesChecked">How many files were checked.</param>
    /// <param name="unparseableFiles">The files that could not be parsed at all.</param>
    public LintReport(IReadOnlyList<Diagnostic> findings, int filesChecked, IReadOnlyCollection<string> unparseableFiles)
    {
        Findings = findings;
        FilesChecked = filesChecked;
        UnparseableFiles = unparseableFiles;
    }

    /// <summary>Every finding, sorted by file, line and column.</summary>
    public IReadOnlyList<Diagnostic> Findings { get; }

    /// <summary>How many files were checked.</summary>
    public int FilesChecked { get; }

    /// <summary>The files that could not be parsed at all.</summary>
    public IReadOnlyCollection<string> UnparseableFiles { get; }

    /// <summary>Number of error findings.</summary>
    public int ErrorCount => Findings.Count(f => f.Severity == Severity.Error);

    /// <summary>Number of warning findings.</summary>
    public int WarningCount => Findings.Count(f => f.Severity == Severity.Warning);

    /// <summary>2 when any input is unparseable, 1 when there are errors, else 0.</summary>
    public int ExitCode => UnparseableFiles.Count > 0 ? 2 : ErrorCount > 0 ? 1 : 0;

    /// <summary>One line for the end of the text output.</summary>
    public string Summary =>
        $"Lint: {FilesChecked} file(s) checked, {ErrorCount} error(s), {WarningCount} warning(s)" +
        (UnparseableFiles.Count > 0 ? $", {UnparseableFiles.Count} unparseable" : string.Empty);

    /// <summary>
    /// The JSON contract: <c>{"findings":[{"file","line","column","rule","severity","message","fix"}],
    /// "summary":{...}}</c>; lines and columns are 1-based.
    /// </summary>
    public string ToJson()
    {
        var document = new JsonReport(
            Findings.Select(f => new JsonFinding(
                f.Location?.Source ?? string.Empty,
                f.Location?.Line ?? 0,
                f.Location?.Column ?? 0,
                f.Rule,
                f.Severity.ToString().ToLowerInvariant(),
                f.Message,
                f.Fix)).ToArray(),
            new JsonSummary(FilesChecked, ErrorCount, WarningCount, UnparseableFiles.Order(StringComparer.Ordinal).ToArray(), ExitCode));
        var options = new JsonSerializerOptions(LintJsonContext.Default.Options) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        return JsonSerializer.Serialize(document, new LintJsonContext(options).JsonReport);
    }

    internal sealed record JsonReport(
        [property: JsonPropertyName("findings")] JsonFinding[] Findings,
        [property: JsonPropertyName("summary")] JsonSummary Summary);

    internal sealed record JsonFinding(
        [property: JsonPropertyName("file")] string File,
        [property: JsonPropertyName("line")] int Line,
        [property: JsonPropertyName("column")] int Column,
        [property: JsonPropertyName("rule")] string Rule,
        [property: JsonPropertyName("severity")] string Severity,
        [property: JsonPropertyName("message")] string Message,
        [property: JsonPropertyName("fix")] string? Fix);

    internal sealed record JsonSummary(
        [property: JsonPropertyName("files")] int Files,
        [property: JsonPropertyName("errors")] int Errors,
        [property: JsonPropertyName("warnings")] int Warnings,
        [property: JsonPropertyName("unparseable")] string[] Unparseable,
        [property: JsonPropertyName("exitCode")] int ExitCode);
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(LintReport.JsonReport))]
internal sealed partial class LintJsonContext : JsonSerializerContext;
