using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace GluePipeline.Stacks;

/// <summary>Where a run comes from, as far as naming its stacks goes.</summary>
/// <param name="Branch">The branch, or null.</param>
/// <param name="PullRequest">The pull request number, or null.</param>
/// <param name="BuildId">The CI build's id, or null on a laptop.</param>
/// <param name="CheckoutPath">The repository's folder.</param>
public sealed record RunOrigin(string? Branch, string? PullRequest, string? BuildId, string CheckoutPath)
{
    /// <summary>
    /// Reads CodeBuild's and GitHub Actions' variables (CODEBUILD_WEBHOOK_TRIGGER pr/42 or
    /// branch/main, CODEBUILD_SOURCE_VERSION pr/42, CODEBUILD_BUILD_ID; GITHUB_HEAD_REF,
    /// GITHUB_REF refs/pull/42/merge, GITHUB_RUN_ID), else the checkout's branch from git.
    /// </summary>
    public static RunOrigin Detect(Func<string, string?> environment, string checkoutPath, string? gitBranch)
    {
        string? Get(string name) => environment(name) is { Length: > 0 } value ? value : null;
        var trigger = Get("CODEBUILD_WEBHOOK_TRIGGER");
        var sourceVersion = Get("CODEBUILD_SOURCE_VERSION");
        var githubRef = Get("GITHUB_REF");
        var pullRequest =
            trigger?.StartsWith("pr/", StringComparison.Ordinal) == true ? trigger[3..]
            : sourceVersion?.StartsWith("pr/", StringComparison.Ordinal) == true ? sourceVersion[3..]
            : githubRef?.StartsWith("refs/pull/", StringComparison.Ordinal) == true ? githubRef.Split('/')[2]
            : null;
        var branch =
            trigger?.StartsWith("branch/", StringComparison.Ordinal) == true ? trigger[7..]
            : Get("CODEBUILD_WEBHOOK_HEAD_REF") ?? Get("GITHUB_HEAD_REF") ?? Get("GITHUB_REF_NAME") ?? (gitBranch is "HEAD" ? null : gitBranch);
        return new RunOrigin(branch, pullRequest, Get("CODEBUILD_BUILD_ID") ?? Get("GITHUB_RUN_ID"), checkoutPath);
    }
}

/// <summary>
/// LiveTest stack names: from the branch (or pull request) and a short hash of the build id (in CI)
/// or of the checkout's path (on a laptop), so neither two branches nor two checkouts of one branch
/// collide, and a re-run of one checkout finds its own stack again.
/// </summary>
public static partial class StackNames
{
    /// <summary>The LiveTest stack of a run, e.g. <c>livetest-main-3fa9c1</c> or <c>livetest-pr-42-77b0de</c>.</summary>
    public static string LiveTest(RunOrigin origin)
    {
        var what = origin.PullRequest is { Length: > 0 } pr ? "pr-" + Slug(pr) : Slug(origin.Branch is { Length: > 0 } b ? b : "detached");
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(origin.BuildId is { Length: > 0 } id ? id : Path.GetFullPath(origin.CheckoutPath))))[..6];
        return $"livetest-{what}-{hash}";
    }

    /// <summary>The stack's name as a suffix of physical names (Glue database names allow no hyphens).</summary>
    public static string NameSuffix(string stackName) => stackName.Replace('-', '_');

    /// <summary>Lowercase letters, digits and single hyphens, at most 24 characters.</summary>
    private static string Slug(string text)
    {
        var slug = NotSlug().Replace(text.ToLowerInvariant().Replace("refs/heads/", string.Empty, StringComparison.Ordinal), "-").Trim('-');
        slug = slug.Length > 24 ? slug[..24].TrimEnd('-') : slug;
        return slug.Length == 0 ? "x" : slug;
    }

    [GeneratedRegex("[^a-z0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex NotSlug();
}
