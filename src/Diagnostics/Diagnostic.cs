using System.Globalization;

namespace GluePipeline.Diagnostics;

/// <summary>
/// One finding in the shared error shape of the product:
/// <c>file:line:col: error RULE-ID: message. Fix: hint</c>.
/// </summary>
/// <param name="Location">Where the finding points, or null for findings about the run as a whole.</param>
/// <param name="Severity">How serious it is.</param>
/// <param name="Rule">A stable identifier of the check (e.g. <c>YAML-SYNTAX</c>).</param>
/// <param name="Message">What is wrong, as a sentence without a trailing period.</param>
/// <param name="Fix">How to fix it, or null when there is nothing better to say than the message.</param>
public sealed record Diagnostic(SourceLocation? Location, Severity Severity, string Rule, string Message, string? Fix = null)
{
    /// <summary>Creates an error finding at a location.</summary>
    public static Diagnostic Error(SourceLocation? location, string rule, string message, string? fix = null) =>
        new(location, Severity.Error, rule, message, fix);

    /// <summary>Creates a warning finding at a location.</summary>
    public static Diagnostic Warning(SourceLocation? location, string rule, string message, string? fix = null) =>
        new(location, Severity.Warning, rule, message, fix);

    /// <summary>Formats the finding in the shared error shape.</summary>
    public override string ToString()
    {
        var severity = Severity.ToString().ToLowerInvariant();
        var prefix = Location is { } location ? location + ": " : string.Empty;
        var message = Message.TrimEnd().TrimEnd('.');
        var fix = string.IsNullOrWhiteSpace(Fix) ? "." : string.Create(CultureInfo.InvariantCulture, $". Fix: {EndSentence(Fix)}");
        return $"{prefix}{severity} {Rule}: {message}{fix}";
    }

    private static string EndSentence(string text)
    {
        var trimmed = text.TrimEnd();
        return trimmed.EndsWith('?') || trimmed.EndsWith('!') || trimmed.EndsWith('.') ? trimmed : trimmed + ".";
    }
}
