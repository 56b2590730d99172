using Cake.Core.Diagnostics;
using GluePipeline.Build.Hosting;
using GluePipeline.Diagnostics;
using GluePipeline.Repository;
using GluePipeline.Stacks;

namespace GluePipeline.Build.Tasks;

/// <summary>Deploys the CI/CD pipeline stack: the CodePipeline, its CodeBuild projects, the pull-request validation, the teardown and Sweep rules.</summary>
[TaskName("DeployPipeline")]
[TaskDescription("aws: deploy the CI/CD pipeline stack (templates/pipeline.yaml of the working tree) as $PIPELINE_PIPELINE_STACK (default <name>-pipeline); parameters from PIPELINE_PARAM_<Name> (RepositoryId, ConnectionArn, ...). Lint first.")]
[IsDependentOn(typeof(LintTask))]
public sealed class DeployPipelineTask : AsyncFrostingTask<BuildContext>
{
    /// <summary>The variable naming the pipeline stack.</summary>
    public const string StackVariable = "PIPELINE_PIPELINE_STACK";

    /// <inheritdoc/>
    public override async Task RunAsync(BuildContext context)
    {
        if (context.Lane != Lane.Aws)
        {
            throw new PipelineInputException(Diagnostic.Error(new SourceLocation("--target=DeployPipeline"), "ARG-LANE", "DeployPipeline deploys the pipeline stack to AWS, and this run is in the local lane", "add --lane=aws (and --plan to see the API calls first, without sending anything)"));
        }

        var stack = context.StackOverride ?? (Environment.GetEnvironmentVariable(StackVariable) is { Length: > 0 } named ? named : $"{context.ArtifactName}-pipeline");
        AwsLiveTestStack.CheckName(stack);
        var git = new Git(context.RepositoryRoot);
        var commit = await git.IsWorkTreeAsync(context.CancellationToken) ? (await git.RunAsync(["rev-parse", "HEAD"], context.CancellationToken)).Trim() : null;
        var aws = await context.AwsAsync();
        var deployment = await AwsStack.DeployPipelineAsync(context.RepositoryRoot, stack, context.ArtifactName, commit, aws, line => context.Log.Information("{0}", line), context.CancellationToken);
        AwsLiveTestStack.Report(context, "pipeline stack", deployment);
        if (deployment.Outputs.TryGetValue("ArtifactBucketName", out var bucket))
        {
            context.Log.Information("To run the aws lane from a laptop against this pipeline: export {0}={1}", BuildContext.ArtifactBucketVariable, bucket);
        }
    }
}
