using Cake.Core.Diagnostics;
using GluePipeline.Build.Hosting;
using GluePipeline.Jobs;

namespace GluePipeline.Build.Tasks;

/// <summary>Scaffolds a declarative job that runs and lints clean.</summary>
[TaskName("NewJob")]
[TaskDescription("Create jobs/<name>/ (job.yaml, transform.sql, rules.dqdl, a fixture) that runs with RunJob and lints clean: --job=<name>.")]
public sealed class NewJobTask : FrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override void Run(BuildContext context)
    {
        var job = RunJobTask.JobArgument(context);
        var files = JobScaffold.Create(Path.Combine(context.RepositoryRoot, "jobs"), "jobs", job);
        foreach (var file in files)
        {
            context.Log.Information("created {0}", file);
        }

        context.Log.Information("Run it: dotnet run --project build -- --target=RunJob --job={0}", job);
    }
}
