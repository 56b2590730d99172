namespace GluePipeline.Repository;

/// <summary>
/// The files that make up the product a repository ships: everything under <c>jobs/</c> and
/// <c>templates/</c> that git does not ignore, except what only serves development. Lint checks
/// exactly these files and Package packs exactly these files.
/// </summary>
/// <remarks>
/// The exclusion rule (README, "What goes into the artifact"): a path is left out when any of its
/// folders is named <c>tests</c>, <c>__pycache__</c>, <c>.pytest_cache</c> or <c>node_modules</c>,
/// when any of its segments starts with a dot (e.g. <c>.DS_Store</c>), or when it ends in
/// <c>.pyc</c>. Test suites, stand-in modules (kept under <c>jobs/runtime/tests/</c>) and caches
/// therefore never reach the artifact.
/// </remarks>
public static class ProductFiles
{
    /// <summary>The top-level folders that hold the product.</summary>
    public static IReadOnlyList<string> Roots { get; } = ["jobs", "templates"];

    private static readonly HashSet<string> ExcludedFolders = new(StringComparer.Ordinal)
    {
        "tests", "__pycache__", ".pytest_cache", "node_modules",
    };

    /// <summary>Whether a repository-relative path (with '/' separators) is part of the product.</summary>
    public static bool IsProductPath(string relativePath)
    {
        var segments = relativePath.Split('/');
        if (segments.Length < 2 || !Roots.Contains(segments[0], StringComparer.Ordinal))
        {
            return false;
        }

        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment.Length == 0 || segment.StartsWith('.'))
            {
                return false;
            }

            if (i < segments.Length - 1 && ExcludedFolders.Contains(segment))
            {
                return false;
            }
        }

        return !relativePath.EndsWith(".pyc", StringComparison.Ordinal);
    }

    /// <summary>
    /// Copies the product files of a folder laid out like the repository (without asking git) into
    /// another folder: what the artifact would hold, for tests and benchmarks that deploy it.
    /// </summary>
    public static void CopyTree(string from, string to)
    {
        foreach (var root in Roots.Where(r => Directory.Exists(Path.Combine(from, r))))
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(from, root), "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(from, file).Replace('\\', '/');
                if (IsProductPath(relative))
                {
                    var destination = Path.Combine(to, relative);
                    Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                    File.Copy(file, destination, overwrite: true);
                }
            }
        }
    }

    /// <summary>
    /// Lists the product files of a repository, sorted ordinally by their '/'-separated relative
    /// path. In a git work tree: tracked and untracked files that are not ignored and exist on disk.
    /// Without git: every file under the roots that passes the rule.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ListAsync(string repositoryRoot, CancellationToken cancellationToken)
    {
        var git = new Git(repositoryRoot);
        IEnumerable<string> candidates;
        if (await git.IsWorkTreeAsync(cancellationToken))
        {
            var listing = await git.RunBytesAsync(
                ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", .. Roots],
                null,
                cancellationToken);
            candidates = System.Text.Encoding.UTF8.GetString(listing)
                .Split('\0', StringSplitOptions.RemoveEmptyEntries)
                .Distinct(StringComparer.Ordinal)
                .Where(p => File.Exists(Path.Combine(repositoryRoot, p)));
        }
        else
        {
            candidates = Roots
                .Select(r => Path.Combine(repositoryRoot, r))
                .Where(Directory.Exists)
                .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
                .Select(f => Path.GetRelativePath(repositoryRoot, f).Replace('\\', '/'));
        }

        return candidates
            .Where(IsProductPath)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }
}
