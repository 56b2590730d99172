using Cake.Core.Diagnostics;
using GluePipeline.Build.Hosting;
using GluePipeline.Diagnostics;
using GluePipeline.Stacks;

namespace GluePipeline.Build.Tasks;

/// <summary>Deploys the LiveTest stack of the lane and registers it for teardown.</summary>
[TaskName("DeployLiveTest")]
[TaskDescription("Deploy the LiveTest stack of the lane (named per branch/PR; local: the template interpreted on this machine; aws: CloudFormation change sets, tagged with its expiry); registered for teardown.")]
[IsDependentOn(typeof(PackageTask))]
public sealed class DeployLiveTestTask : AsyncFrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override async Task RunAsync(BuildContext context)
    {
        var stack = await LiveTestStack.NameAsync(context);
        (string Zip, string? Digest, string? Commit) artifact = context.PackagedArtifact is { } packaged
            ? (packaged.ZipPath, (string?)packaged.Manifest.Digest, packaged.Manifest.Commit)
            : context.ArtifactPath is { } given ? (given, context.ExpectedDigest, null) : throw new PipelineInputException(Diagnostic.Error(new SourceLocation("--artifact"), "ARG-ARTIFACT", "DeployLiveTest deploys an artifact, and this run has none", "run it with Package (the default), or give --artifact=<zip>"));
        if (context.Lane == Lane.Aws)
        {
            await AwsLiveTestStack.DeployAsync(context, stack, artifact.Zip);
            return;
        }

        // Registered before anything exists: a deployment that fails halfway is still torn down.
        context.RegisterStackTeardown($"local stack {stack}", _ =>
        {
            if (LocalStack.Teardown(context.StateRoot, stack))
            {
                context.Log.Information("Tore down the local stack {0}", stack);
            }

            return Task.CompletedTask;
        });

        var tags = new Dictionary<string, string>
        {
            ["owner"] = Environment.UserName,
            ["commit"] = artifact.Commit ?? "unknown",
            ["environment"] = "livetest",
        };
        var deployment = await LocalStack.DeployAsync(new LocalDeployRequest(stack, context.StateRoot) { ArtifactZip = artifact.Zip, ArtifactDigest = artifact.Digest, Tags = tags }, context.CancellationToken);
        if (deployment.Manifest.Connections.Count > 0)
        {
            await LiveTestDatabases.ProvisionAsync(context, deployment);
            deployment = deployment with { Manifest = RunManifest.Load(deployment.ManifestPath) };
        }

        context.Deployment = deployment;

        var resources = deployment.Manifest.Resources;
        context.Log.Information("Deployed the local stack {0} from {1} ({2} resources): {3}", stack, Path.GetFileName(artifact.Zip), resources.Count,
            string.Join(", ", resources.GroupBy(r => r.Emulation).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}")));
        foreach (var resource in resources.Where(r => r.Emulation == Emulation.Skipped))
        {
            context.Log.Warning("SKIPPED {0} ({1}): {2}", resource.LogicalId, resource.Type, resource.Note ?? string.Empty);
        }

        foreach (var warning in deployment.Warnings)
        {
            context.Log.Warning("{0}", warning.ToString());
        }

        context.Log.Information("Run manifest: {0}", deployment.ManifestPath);
    }
}
