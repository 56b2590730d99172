using GluePipeline.Repository;
using GluePipeline.Stacks;

namespace GluePipeline.Build.Tasks;

/// <summary>The run's LiveTest stack: its name, from --stack or from the branch and checkout.</summary>
internal static class LiveTestStack
{
    public static async Task<string> NameAsync(BuildContext context)
    {
        if (context.StackOverride is { } given)
        {
            return given;
        }

        string? branch = null;
        var git = new Git(context.RepositoryRoot);
        if (await git.IsWorkTreeAsync(context.CancellationToken))
        {
            branch = (await git.RunAsync(["rev-parse", "--abbrev-ref", "HEAD"], context.CancellationToken)).Trim();
        }

        return StackNames.LiveTest(RunOrigin.Detect(Environment.GetEnvironmentVariable, context.RepositoryRoot, branch));
    }
}
