using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;
using GluePipeline.Validation;

namespace GluePipeline.Stacks;

/// <summary>
/// The reports of a live test, under the report folder: <c>livetest.junit.xml</c> (one test case per
/// stage: failures and skips as JUnit reads them), <c>rules.junit.xml</c> and <c>rules.html</c> (the
/// rule results, as Validate writes them), and <c>livetest.html</c> (stages, timings, what the lane
/// does not emulate, rule results) for a person.
/// </summary>
public static class LiveTestReport
{
    /// <summary>Writes every report.</summary>
    public static void Write(RunManifest manifest, LiveTestResult result, string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "livetest.junit.xml"), JUnit(manifest, result));
        if (result.Rules.Count > 0)
        {
            File.WriteAllText(Path.Combine(folder, "rules.junit.xml"), ValidationReport.ToJUnit(result.Rules));
            File.WriteAllText(Path.Combine(folder, "rules.html"), ValidationReport.ToHtml(result.Rules));
        }

        File.WriteAllText(Path.Combine(folder, "livetest.html"), Html(manifest, result));
    }

    /// <summary>The stages as JUnit XML.</summary>
    public static string JUnit(RunManifest manifest, LiveTestResult result)
    {
        var text = new StringBuilder();
        using (var xml = XmlWriter.Create(new StringWriter(text, CultureInfo.InvariantCulture), new XmlWriterSettings { Indent = true }))
        {
            xml.WriteStartElement("testsuites");
            xml.WriteAttributeString("name", "AutomatedLiveTest");
            xml.WriteStartElement("testsuite");
            xml.WriteAttributeString("name", $"{manifest.Stack} ({manifest.Lane})");
            xml.WriteAttributeString("tests", result.Stages.Count.ToString(CultureInfo.InvariantCulture));
            xml.WriteAttributeString("failures", result.Stages.Count(s => s.Outcome == StageOutcome.Failed).ToString(CultureInfo.InvariantCulture));
            xml.WriteAttributeString("errors", "0");
            xml.WriteAttributeString("skipped", result.Stages.Count(s => s.Outcome == StageOutcome.Skipped).ToString(CultureInfo.InvariantCulture));
            xml.WriteAttributeString("time", Seconds(result.Stages.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Duration)));
            foreach (var stage in result.Stages)
            {
                xml.WriteStartElement("testcase");
                xml.WriteAttributeString("name", stage.Name);
                xml.WriteAttributeString("classname", $"livetest.{stage.Kind}");
                xml.WriteAttributeString("time", Seconds(stage.Duration));
                if (stage.Outcome == StageOutcome.Failed)
                {
                    xml.WriteStartElement("failure");
                    xml.WriteAttributeString("message", stage.Detail);
                    xml.WriteAttributeString("type", "StageFailed");
                    xml.WriteString(stage.Detail);
                    xml.WriteEndElement();
                }
                else if (stage.Outcome == StageOutcome.Skipped)
                {
                    xml.WriteStartElement("skipped");
                    xml.WriteAttributeString("message", stage.Detail);
                    xml.WriteEndElement();
                }
                else
                {
                    xml.WriteElementString("system-out", stage.Detail);
                }

                xml.WriteEndElement();
            }

            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        return text.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal) + "\n";
    }

    /// <summary>The page a person reads.</summary>
    public static string Html(RunManifest manifest, LiveTestResult result)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        var html = new StringBuilder();
        var verdict = result.Passed ? "passed" : "failed";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E($"LiveTest {manifest.Stack}: {verdict}")).Append("</title>\n<style>\n")
            .Append("""
                body { font: 14px/1.45 system-ui, "DejaVu Sans", sans-serif; color: #1f2328; margin: 0; background: #f6f8fa; }
                main { max-width: 1100px; margin: 0 auto; padding: 24px; }
                section { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 16px 24px; margin-bottom: 20px; }
                h1 { font-size: 22px; margin: 0 0 8px; } h2 { font-size: 16px; margin: 0 0 8px; }
                .verdict { color: #fff; border-radius: 12px; padding: 2px 10px; font-size: 13px; margin-right: 8px; }
                .passed { background: #1a7f37; } .failed { background: #cf222e; } .skipped { background: #9a6700; }
                table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #d0d7de; vertical-align: top; }
                td.time { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
                .badge { color: #fff; border-radius: 4px; padding: 1px 6px; font-size: 12px; font-weight: 600; }
                .meta { color: #57606a; }
                """).Append("\n</style>\n</head>\n<body>\n<main>\n<section>\n");
        html.Append(CultureInfo.InvariantCulture, $"<h1><span class=\"verdict {verdict}\">{verdict.ToUpperInvariant()}</span>LiveTest {E(manifest.Stack)}</h1>\n");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">lane {E(manifest.Lane)} · {E(manifest.Template)} · artifact {E(manifest.ArtifactDigest ?? "(working tree)")} · data work {result.DataWork.TotalSeconds:0.00} s · ");
        html.Append(CultureInfo.InvariantCulture, $"{result.Stages.Count(s => s.Outcome == StageOutcome.Passed)} passed, {result.Stages.Count(s => s.Outcome == StageOutcome.Failed)} failed, {result.Stages.Count(s => s.Outcome == StageOutcome.Skipped)} skipped</p>\n</section>\n");
        html.Append("<section>\n<h2>Stages</h2>\n<table>\n<thead><tr><th>Stage</th><th>Outcome</th><th>Time</th><th>Detail</th></tr></thead>\n<tbody>\n");
        foreach (var stage in result.Stages)
        {
            var outcome = stage.Outcome.ToString().ToLowerInvariant();
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(stage.Name)}</td><td><span class=\"badge {outcome}\">{outcome.ToUpperInvariant()}</span></td><td class=\"time\">{stage.Duration.TotalSeconds:0.00} s</td><td>{E(stage.Detail)}</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
        var notLocal = manifest.Resources.Where(r => r.Emulation is Emulation.NotEmulated or Emulation.Skipped).ToArray();
        if (notLocal.Length > 0)
        {
            html.Append("<section>\n<h2>Not run in this lane</h2>\n<table>\n<tbody>\n");
            foreach (var resource in notLocal)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(resource.LogicalId)}</td><td>{E(resource.Type)}</td><td>{E(resource.Note ?? string.Empty)}</td></tr>\n");
            }

            html.Append("</tbody>\n</table>\n</section>\n");
        }

        if (result.Rules.Count > 0)
        {
            html.Append("<section>\n<h2>Rules</h2>\n<table>\n<tbody>\n");
            foreach (var rules in result.Rules)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(rules.RulesFile)}</td><td>{E(rules.Dataset)}</td><td><span class=\"badge {(rules.AllPassed ? "passed" : "failed")}\">{rules.Rules.Count(r => r.Outcome == RuleOutcome.Passed)}/{rules.Rules.Count}</span></td></tr>\n");
            }

            html.Append("</tbody>\n</table>\n<p class=\"meta\">Every rule with its metrics and failing rows: <a href=\"rules.html\">rules.html</a></p>\n</section>\n");
        }

        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
