using Cake.Core.Diagnostics;
using GluePipeline.Build.Hosting;
using GluePipeline.Diagnostics;
using GluePipeline.Linting;

namespace GluePipeline.Build.Tasks;

/// <summary>The first gate: every template, job spec and rule file parses and passes its checks.</summary>
[TaskName("Lint")]
[TaskDescription("Parse and check templates, job specs and rule files; findings with file:line:col (exit 1 errors, 2 unparseable).")]
public sealed class LintTask : AsyncFrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override async Task RunAsync(BuildContext context)
    {
        var report = await new RepositoryLinter().LintRepositoryAsync(context.RepositoryRoot, context.CancellationToken);

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
}
