using Cake.Core.Diagnostics;
using GluePipeline.Build.Hosting;
using GluePipeline.Diagnostics;
using GluePipeline.Stacks;

namespace GluePipeline.Build.Tasks;

/// <summary>Seeds fixtures, runs crawlers and jobs, evaluates the rules and runs livetests/.</summary>
[TaskName("AutomatedLiveTest")]
[TaskDescription("Fixtures, crawlers, jobs, DQDL rules and livetests/ against the LiveTest stack [--scale=1] [--no-livetests]; JUnit XML and HTML under artifacts/livetest/<stack>/.")]
[IsDependentOn(typeof(DeployLiveTestTask))]
public sealed class AutomatedLiveTestTask : AsyncFrostingTask<BuildContext>
{
    /// <summary>The file under artifacts/ holding the digest a passed AutomatedLiveTest tested (CodeBuild exports it as ArtifactDigest).</summary>
    public const string TestedDigestFile = "livetest-digest.txt";

    /// <inheritdoc/>
    public override async Task RunAsync(BuildContext context)
    {
        // Only a pass of this run may leave a digest for the pipeline to approve.
        var digestFile = Path.Combine(context.ArtifactsDirectory, TestedDigestFile);
        if (File.Exists(digestFile))
        {
            File.Delete(digestFile);
        }

        if (context.Lane == Lane.Aws)
        {
            var (awsResult, awsManifest, awsOptions) = await AwsLiveTestStack.TestAsync(context);
            Report(context, awsResult, awsManifest, awsOptions);
            return;
        }

        var stack = context.Deployment?.Manifest.Stack ?? await LiveTestStack.NameAsync(context);
        var manifestPath = context.Deployment?.ManifestPath ?? Path.Combine(LocalStack.StateDirectory(context.StateRoot, stack), RunManifest.FileName);
        if (!File.Exists(manifestPath))
        {
            throw new PipelineInputException(Diagnostic.Error(new SourceLocation($"--stack={stack}"), "STACK-MISSING", $"There is no local stack {stack} to test", "run AutomatedLiveTest with its dependencies (DeployLiveTest deploys it), or name a deployed stack with --stack"));
        }

        var manifest = RunManifest.Load(manifestPath);
        var connections = await LiveTestDatabases.ForAsync(context, manifest);

        // livetests/ reach the connections' databases through these (the manifest never holds a password).
        var options = Options(context, manifest, connections.Endpoints.Select(c => KeyValuePair.Create(LiveTestOptions.ConnectionVariable(c.Key), c.Value.Database.ToString(includePassword: true)))) with
        {
            Connections = connections.Endpoints,
            UnservedConnections = connections.Unserved,
            RequireDatabases = context.IsContinuousIntegration,
        };
        var result = await LiveTestRun.RunAsync(manifest, manifestPath, options, line => context.Log.Information("{0}", line), context.CancellationToken);
        Report(context, result, manifest, options);
    }

    /// <summary>
    /// The settings of a live test in either lane: reports under artifacts/livetest/&lt;stack&gt;/, --scale,
    /// --no-livetests (and none in a plan: livetests/ would reach AWS), and the environment livetests/
    /// get: the artifact, its digest, and <paramref name="environment"/>.
    /// </summary>
    internal static LiveTestOptions Options(BuildContext context, RunManifest manifest, IEnumerable<KeyValuePair<string, string>> environment)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (manifest.Artifact is { } artifact)
        {
            variables["PIPELINE_ARTIFACT"] = artifact;
        }

        if (manifest.ArtifactDigest is { } digest)
        {
            variables["PIPELINE_ARTIFACT_DIGEST"] = digest;
        }

        foreach (var (name, value) in environment)
        {
            variables[name] = value;
        }

        return new LiveTestOptions(context.RepositoryRoot, Path.Combine(context.ArtifactsDirectory, "livetest", manifest.Stack))
        {
            Scale = RunJobTask.Scale(context),
            RunLiveTests = !context.IsPlan && context.Arguments.GetArguments("no-livetests").All(v => v != "true"),
            LiveTestEnvironment = variables,
            LiveTestsProject = Environment.GetEnvironmentVariable("PIPELINE_LIVETESTS_PROJECT") is { Length: > 0 } project ? project : null,
        };
    }

    /// <summary>The stages as a table, the digest tested for the pipeline, and the verdict.</summary>
    private static void Report(BuildContext context, LiveTestResult result, RunManifest manifest, LiveTestOptions options)
    {
        context.LiveTest = result;

        var width = Math.Max(20, result.Stages.Select(s => s.Name.Length).DefaultIfEmpty(0).Max());
        context.Log.Information("{0} {1,-8} {2,9}", "stage".PadRight(width), "outcome", "time");
        foreach (var stage in result.Stages)
        {
            context.Log.Write(Verbosity.Quiet, stage.Outcome == StageOutcome.Failed ? LogLevel.Warning : LogLevel.Information, "{0} {1,-8} {2,7:0.00} s", stage.Name.PadRight(width), stage.Outcome.ToString().ToUpperInvariant(), stage.Duration.TotalSeconds);
        }

        context.Log.Information("Data work (fixtures, crawls, jobs, rules): {0:0.00} s. Reports: {1}", result.DataWork.TotalSeconds, options.ReportDirectory);
        if (manifest.Connections.Count > 0)
        {
            context.Log.Information("Databases: {0}", string.Join("; ", manifest.Connections.Select(c => $"{c.Name} ({c.Engine}) -> {c.ServedBy ?? "none"}{(c.Provider is null ? string.Empty : $" [{c.Provider}]")}{(c.Note is null ? string.Empty : $" - {c.Note}")}")));
        }

        // CodePipeline's approval shows the digest this stage tested (buildspec: exported-variables ArtifactDigest).
        if (manifest.ArtifactDigest is { } tested && result.Passed && !context.IsPlan)
        {
            Directory.CreateDirectory(context.ArtifactsDirectory);
            File.WriteAllText(Path.Combine(context.ArtifactsDirectory, TestedDigestFile), tested + "\n");
            context.Log.Information("Tested artifact digest {0} (written to artifacts/{1} for the pipeline's ArtifactDigest variable)", tested, TestedDigestFile);
        }

        if (!result.Passed)
        {
            var failed = result.Stages.Where(s => s.Outcome == StageOutcome.Failed).ToArray();
            throw new TargetFailedException($"{failed.Length} stage(s) failed: {string.Join("; ", failed.Select(f => $"{f.Name}: {f.Detail}"))}");
        }
    }
}
