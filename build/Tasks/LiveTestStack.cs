using GluePipeline.Repository;
using GluePipeline.Stacks;

namespace GluePipeline.Build.Tasks;

/// <summary>The run's LiveTest stack: its name, from --stack or from the branch and checkout.</summary>
internal static class LiveTestStack
{
    public static async Task<string> NameAsync(BuildContext context) =>
        context.StackOverride ?? StackNames.LiveTest(await OriginAsync(context));

    /// <summary>Where the run comes from: CI's branch or pull request, else the checkout's branch.</summary>
    public static async Task<RunOrigin> OriginAsync(BuildContext context)
    {
        string? branch = null;
        var git = new Git(context.RepositoryRoot);
        if (await git.IsWorkTreeAsync(context.CancellationToken))
        {
            branch = (await git.RunAsync(["rev-parse", "--abbrev-ref", "HEAD"], context.CancellationToken)).Trim();
        }

        return RunOrigin.Detect(Environment.GetEnvironmentVariable, context.RepositoryRoot, branch);
    }
}
