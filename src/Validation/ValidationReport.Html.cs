using System.Globalization;
using System.Net;
using System.Text;

namespace GluePipeline.Validation;

public static partial class ValidationReport
{
    private const string Style = """
        :root { --pass: #1a7f37; --fail: #cf222e; --error: #9a6700; --line: #d0d7de; --muted: #57606a; }
        * { box-sizing: border-box; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1f2328; margin: 0; background: #f6f8fa; }
        main { max-width: 1200px; margin: 0 auto; padding: 24px; }
        section.result { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 20px 24px; margin-bottom: 24px; }
        h1 { font-size: 22px; margin: 0 0 4px; }
        h1 .verdict { display: inline-block; font-size: 13px; color: #fff; border-radius: 12px; padding: 2px 10px; vertical-align: middle; margin-right: 8px; }
        .verdict.passed { background: var(--pass); } .verdict.failed { background: var(--fail); }
        .meta { color: var(--muted); margin: 0 0 12px; }
        .meta code { color: #1f2328; }
        .bar { display: flex; height: 10px; border-radius: 5px; overflow: hidden; background: var(--line); margin: 12px 0 4px; }
        .bar .passed { background: var(--pass); } .bar .failed { background: var(--fail); } .bar .error { background: var(--error); }
        .counts span { margin-right: 16px; }
        .counts .failed { color: var(--fail); font-weight: 600; } .counts .error { color: var(--error); font-weight: 600; }
        ul.attention { margin: 8px 0 16px; padding-left: 20px; }
        ul.attention a { color: var(--fail); }
        table { border-collapse: collapse; width: 100%; }
        table.rules > thead th { text-align: left; font-weight: 600; border-bottom: 2px solid var(--line); padding: 6px 8px; }
        table.rules > tbody > tr > td { border-bottom: 1px solid var(--line); padding: 8px; vertical-align: top; }
        table.rules > tbody > tr.failed { background: #fff5f5; } table.rules > tbody > tr.error { background: #fff8e6; }
        td.line { color: var(--muted); text-align: right; width: 3em; }
        .badge { display: inline-block; min-width: 64px; text-align: center; font-size: 12px; font-weight: 600; border-radius: 4px; padding: 1px 6px; color: #fff; }
        .badge.passed { background: var(--pass); } .badge.failed { background: var(--fail); } .badge.error { background: var(--error); }
        code.rule { font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre-wrap; word-break: break-word; }
        .reason { margin-top: 4px; white-space: pre-wrap; }
        .labels span { display: inline-block; font-size: 12px; background: #ddf4ff; border-radius: 10px; padding: 0 8px; margin: 4px 4px 0 0; }
        dl.metrics { margin: 0; display: grid; grid-template-columns: auto auto; gap: 0 12px; font-size: 12px; }
        dl.metrics dt { color: var(--muted); word-break: break-all; } dl.metrics dd { margin: 0; font-variant-numeric: tabular-nums; text-align: right; }
        details { margin-top: 8px; } summary { cursor: pointer; color: var(--muted); }
        table.samples { font-size: 12px; margin-top: 4px; width: auto; }
        table.samples th, table.samples td { border: 1px solid var(--line); padding: 2px 6px; text-align: left; }
        table.samples th { background: #f6f8fa; } table.samples td.null { color: var(--muted); font-style: italic; }
        footer { color: var(--muted); font-size: 12px; text-align: center; padding-bottom: 24px; }
        @media print { body { background: #fff; } section.result { border: 0; } details { display: block; } }
        """;

    /// <summary>
    /// A self-contained HTML page a person can read (no scripts, no external files): per rule file
    /// and dataset a verdict, counts and a bar, the rules that need attention linked, and every rule
    /// with its outcome, reason, labels, metrics and the sampled rows that break it.
    /// </summary>
    public static string ToHtml(params IReadOnlyList<ValidationResult> results)
    {
        var html = new StringBuilder();
        var failing = results.Count(r => !r.AllPassed);
        var title = results.Count == 1
            ? $"Data quality: {results[0].RulesFile} on {results[0].Dataset}"
            : $"Data quality: {results.Count} datasets, {failing} failing";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append("<title>").Append(Encode(title)).Append("</title>\n<style>\n").Append(Style).Append("\n</style>\n</head>\n<body>\n<main>\n");
        for (var i = 0; i < results.Count; i++)
        {
            WriteResult(html, results[i], $"r{i + 1}");
        }

        html.Append("<footer>Glue ETL pipeline · Validate · rules are DQDL, evaluated with Glue Data Quality semantics</footer>\n</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void WriteResult(StringBuilder html, ValidationResult result, string id)
    {
        var passed = result.Rules.Count(r => r.Outcome == RuleOutcome.Passed);
        var failed = result.Rules.Count(r => r.Outcome == RuleOutcome.Failed);
        var errors = result.Rules.Count(r => r.Outcome == RuleOutcome.Error);
        var total = Math.Max(1, result.Rules.Count);
        var verdict = result.AllPassed ? "passed" : "failed";

        html.Append(CultureInfo.InvariantCulture, $"<section class=\"result {verdict}\" id=\"{id}\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<h1><span class=\"verdict {verdict}\">{verdict.ToUpperInvariant()}</span>{Encode(result.RulesFile)}</h1>\n");
        html.Append("<p class=\"meta\">Dataset <code>").Append(Encode(result.Dataset)).Append("</code>");
        if (result.StartedAt != default)
        {
            html.Append(" · evaluated ").Append(result.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(" UTC");
        }

        html.Append(CultureInfo.InvariantCulture, $" in {result.Elapsed.TotalSeconds:0.###} s · {result.Queries.Count} queries</p>\n");
        html.Append("<div class=\"bar\" role=\"img\" aria-label=\"").Append(CultureInfo.InvariantCulture, $"{passed} passed, {failed} failed, {errors} errors").Append("\">");
        foreach (var (cls, count) in new[] { ("passed", passed), ("failed", failed), ("error", errors) })
        {
            if (count > 0)
            {
                html.Append(CultureInfo.InvariantCulture, $"<span class=\"{cls}\" style=\"width:{100.0 * count / total:0.##}%\"></span>");
            }
        }

        html.Append("</div>\n<p class=\"counts\">");
        html.Append(CultureInfo.InvariantCulture, $"<span>{passed} of {result.Rules.Count} rules passed</span><span>score {result.Score:0.00}</span>");
        if (failed > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<span class=\"failed\">{failed} failed</span>");
        }

        if (errors > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<span class=\"error\">{errors} could not be evaluated</span>");
        }

        html.Append("</p>\n");
        var attention = result.Rules.Select((rule, index) => (rule, index)).Where(x => x.rule.Outcome != RuleOutcome.Passed).ToArray();
        if (attention.Length > 0)
        {
            html.Append("<ul class=\"attention\">\n");
            foreach (var (rule, index) in attention)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li><a href=\"#{id}-{index + 1}\"><code class=\"rule\">{Encode(rule.Rule)}</code></a></li>\n");
            }

            html.Append("</ul>\n");
        }

        html.Append("<table class=\"rules\">\n<thead><tr><th>Line</th><th>Outcome</th><th>Rule</th><th>Metrics</th></tr></thead>\n<tbody>\n");
        for (var i = 0; i < result.Rules.Count; i++)
        {
            WriteRule(html, result.Rules[i], $"{id}-{i + 1}");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void WriteRule(StringBuilder html, RuleResult rule, string id)
    {
        var outcome = rule.Outcome.ToString().ToLowerInvariant();
        html.Append(CultureInfo.InvariantCulture, $"<tr class=\"{outcome}\" id=\"{id}\">");
        html.Append("<td class=\"line\">").Append(rule.Line > 0 ? rule.Line.ToString(CultureInfo.InvariantCulture) : string.Empty).Append("</td>");
        html.Append(CultureInfo.InvariantCulture, $"<td><span class=\"badge {outcome}\">{rule.Outcome.ToString().ToUpperInvariant()}</span></td>");
        html.Append("<td><code class=\"rule\">").Append(Encode(rule.Rule)).Append("</code>");
        if (rule.FailureReason is { } reason)
        {
            html.Append("<div class=\"reason\">").Append(Encode(reason)).Append("</div>");
        }

        if (rule.Labels.Count > 0)
        {
            html.Append("<div class=\"labels\">");
            foreach (var (key, value) in rule.Labels)
            {
                html.Append("<span>").Append(Encode(key)).Append(": ").Append(Encode(value)).Append("</span>");
            }

            html.Append("</div>");
        }

        if (rule.Samples.Count > 0)
        {
            WriteSamples(html, rule.Samples);
        }

        html.Append("</td><td>");
        if (rule.EvaluatedMetrics.Count > 0)
        {
            html.Append("<dl class=\"metrics\">");
            foreach (var (key, value) in rule.EvaluatedMetrics)
            {
                html.Append("<dt>").Append(Encode(key)).Append("</dt><dd>").Append(Encode(Metric(value))).Append("</dd>");
            }

            html.Append("</dl>");
        }

        html.Append("</td></tr>\n");
    }

    private static void WriteSamples(StringBuilder html, IReadOnlyList<IReadOnlyDictionary<string, object?>> samples)
    {
        var columns = samples.SelectMany(r => r.Keys).Distinct(StringComparer.Ordinal).ToArray();
        html.Append(samples.Count == 1 ? "<details open><summary>1 sample row that breaks the rule</summary>" : $"<details open><summary>{samples.Count} sample rows that break the rule</summary>");
        html.Append("<table class=\"samples\"><thead><tr>");
        foreach (var column in columns)
        {
            html.Append("<th>").Append(Encode(column)).Append("</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var row in samples)
        {
            html.Append("<tr>");
            foreach (var column in columns)
            {
                var value = row.GetValueOrDefault(column);
                html.Append(value is null ? "<td class=\"null\">" : "<td>").Append(Encode(Cell(value))).Append("</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table></details>");
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
