using Cake.Core.Diagnostics;
using Cake.Core.IO;
using GluePipeline.Build.Hosting;
using GluePipeline.Diagnostics;
using GluePipeline.Linting;
using Path = System.IO.Path;

namespace GluePipeline.Build.Tasks;

/// <summary>The first gate: every template, job spec and rule file parses and passes its checks.</summary>
[TaskName("Lint")]
[TaskDescription("Parse and check templates, job specs and rule files; findings with file:line:col (exit 1 errors, 2 unparseable). --templates=<glob> lints any template.")]
public sealed class LintTask : AsyncFrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override async Task RunAsync(BuildContext context)
    {
        var linter = new RepositoryLinter(new LintOptions(context.Strict));
        var report = context.TemplatePatterns.Count == 0
            ? await linter.LintRepositoryAsync(context.RepositoryRoot, context.CancellationToken)
            : await linter.LintTemplatesAsync(ResolveTemplates(context), context.CancellationToken);

        if (context.Format == "json")
        {
            await context.Output.WriteLineAsync(report.ToJson().AsMemory(), context.CancellationToken);
        }
        else
        {
            foreach (var finding in report.Findings)
            {
                var level = finding.Severity == Severity.Error ? LogLevel.Error : LogLevel.Warning;
                context.Log.Write(Verbosity.Quiet, level, "{0}", finding.ToString());
            }

            context.Log.Information(report.Summary);
        }

        if (report.ExitCode != ExitCodes.Success)
        {
            throw new TargetFailedException(report.Summary, report.ExitCode);
        }
    }

    /// <summary>Expands --templates (paths or globs, relative to the current directory) to files.</summary>
    private static List<(string DisplayPath, string FullPath)> ResolveTemplates(BuildContext context)
    {
        var files = new List<(string, string)>();
        foreach (var pattern in context.TemplatePatterns)
        {
            var absolute = Path.GetFullPath(pattern);
            var matches = File.Exists(absolute)
                ? [absolute]
                : context.Globber.GetFiles(new GlobPattern(absolute.Replace('\\', '/'))).Select(f => f.FullPath).Order(StringComparer.Ordinal).ToArray();
            if (matches.Length == 0)
            {
                throw new PipelineInputException(Diagnostic.Error(
                    new SourceLocation($"--templates={pattern}"),
                    "ARG-TEMPLATES",
                    $"No template matches '{pattern}'",
                    "give a path or a glob such as 'templates/**/*.yaml' (relative to the current directory)"));
            }

            files.AddRange(matches.Select(m => (Display(m), m)));
        }

        return files.Distinct().ToList();
    }

    private static string Display(string fullPath)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, fullPath);
        return relative.StartsWith("..", StringComparison.Ordinal) ? fullPath : relative;
    }
}
