using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using GluePipeline.Diagnostics;

namespace GluePipeline.Repository;

/// <summary>Which revision of the sources a build is made from, and the version it is given.</summary>
/// <param name="Version">The artifact version (semantic-version shaped).</param>
/// <param name="Commit">The full commit id, or null when unknown.</param>
/// <param name="SourceDate">The commit time in UTC, or null when unknown.</param>
/// <param name="Dirty">Whether the tree differs from the commit.</param>
/// <param name="DirtyPaths">The product paths (jobs/, templates/) that differ from the commit or are not committed yet.</param>
public sealed record SourceRevision(string Version, string? Commit, DateTimeOffset? SourceDate, bool Dirty, IReadOnlySet<string> DirtyPaths)
{
    /// <summary>The environment variable CodeBuild sets to the commit it builds.</summary>
    public const string CodeBuildSourceVersion = "CODEBUILD_RESOLVED_SOURCE_VERSION";

    /// <summary>
    /// Resolves the revision: <paramref name="requestedVersion"/> when given, else <c>git describe</c>
    /// with the short sha (a tag <c>v1.2.0</c> three commits back gives <c>1.2.0-3-gabc1234</c>; no
    /// tag gives <c>0.0.0-gabc1234</c>), else, without <c>.git</c>, <c>0.0.0-g&lt;sha&gt;</c> from
    /// CODEBUILD_RESOLVED_SOURCE_VERSION. A dirty tree adds <c>+dirty</c>.
    /// </summary>
    public static async Task<SourceRevision> ResolveAsync(string repositoryRoot, string? requestedVersion, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var git = new Git(repositoryRoot);
        if (await git.IsWorkTreeAsync(cancellationToken) && await HasCommitAsync(git, cancellationToken))
        {
            var commit = (await git.RunAsync(["rev-parse", "HEAD"], cancellationToken)).Trim();
            var seconds = long.Parse((await git.RunAsync(["log", "-1", "--format=%ct", "HEAD"], cancellationToken)).Trim(), CultureInfo.InvariantCulture);
            var sourceDate = DateTimeOffset.FromUnixTimeSeconds(seconds);
            var (dirty, dirtyPaths) = await StatusAsync(git, cancellationToken);
            var version = requestedVersion ?? await DescribeAsync(git, commit, cancellationToken);
            return new SourceRevision(dirty ? MarkDirty(version) : version, commit, sourceDate, dirty, dirtyPaths);
        }

        var codeBuildCommit = environment(CodeBuildSourceVersion);
        if (requestedVersion is null && string.IsNullOrWhiteSpace(codeBuildCommit))
        {
            throw new PipelineInputException(Diagnostic.Error(
                new SourceLocation(repositoryRoot),
                "PKG-VERSION",
                "The version cannot be derived: this is not a git work tree with a commit, and CODEBUILD_RESOLVED_SOURCE_VERSION is not set",
                "commit first, or give --version=<semver>"));
        }

        var sha = string.IsNullOrWhiteSpace(codeBuildCommit) ? null : codeBuildCommit.Trim();
        var derived = requestedVersion ?? "0.0.0-g" + Sanitize(sha![..Math.Min(7, sha!.Length)]);
        var epoch = environment("SOURCE_DATE_EPOCH");
        DateTimeOffset? date = long.TryParse(epoch, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? DateTimeOffset.FromUnixTimeSeconds(s) : null;
        return new SourceRevision(derived, sha, date, false, new HashSet<string>(StringComparer.Ordinal));
    }

    /// <summary>Appends the dirty marker as semantic-version build metadata.</summary>
    public static string MarkDirty(string version) => version.Contains('+', StringComparison.Ordinal) ? version + ".dirty" : version + "+dirty";

    private static async Task<bool> HasCommitAsync(Git git, CancellationToken cancellationToken) =>
        (await git.RunRawAsync(["rev-parse", "--verify", "--quiet", "HEAD"], null, cancellationToken)).ExitCode == 0;

    private static async Task<string> DescribeAsync(Git git, string commit, CancellationToken cancellationToken)
    {
        var described = await git.RunRawAsync(["describe", "--tags", "--long", "--abbrev=7", "HEAD"], null, cancellationToken);
        if (described.ExitCode != 0)
        {
            return "0.0.0-g" + commit[..7];
        }

        // <tag>-<n>-g<sha>; a semantic-version tag (v prefix allowed) keeps its shape: 1.2.0-3-gabc1234.
        var text = Encoding.UTF8.GetString(described.Stdout).Trim();
        var match = Regex.Match(text, @"^v?(?<core>\d+\.\d+\.\d+)(?<pre>-[0-9A-Za-z.-]+?)?-(?<n>\d+)-g(?<sha>[0-9a-f]+)$", RegexOptions.CultureInvariant);
        if (match.Success)
        {
            var pre = match.Groups["pre"].Success ? match.Groups["pre"].Value + "." : "-";
            return $"{match.Groups["core"].Value}{pre}{match.Groups["n"].Value}-g{match.Groups["sha"].Value}";
        }

        return "0.0.0-" + Sanitize(text);
    }

    private static async Task<(bool Dirty, IReadOnlySet<string> Paths)> StatusAsync(Git git, CancellationToken cancellationToken)
    {
        // Tracked changes anywhere make the tree dirty (as git describe --dirty); untracked files count
        // only under the product roots, because only those would be packaged.
        var status = await git.RunBytesAsync(["status", "--porcelain=v1", "-z", "--untracked-files=all"], null, cancellationToken);
        var entries = Encoding.UTF8.GetString(status).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var dirty = false;
        var paths = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i];
            if (entry.Length < 4)
            {
                continue;
            }

            var code = entry[..2];
            var path = entry[3..];
            if (code[0] is 'R' or 'C')
            {
                i++; // the next entry is the rename's source path
            }

            var isProduct = ProductFiles.Roots.Any(r => path.StartsWith(r + "/", StringComparison.Ordinal));
            if (code == "??")
            {
                if (isProduct && ProductFiles.IsProductPath(path))
                {
                    dirty = true;
                    paths.Add(path);
                }

                continue;
            }

            dirty = true;
            if (isProduct)
            {
                paths.Add(path);
            }
        }

        return (dirty, paths);
    }

    private static string Sanitize(string text) => Regex.Replace(text, "[^0-9A-Za-z.-]", "-", RegexOptions.CultureInvariant);
}
