using GluePipeline.Diagnostics;
using GluePipeline.Repository;

namespace GluePipeline.Linting;

/// <summary>
/// Lints the product files of a repository (<see cref="ProductFiles"/>): every template and job
/// file must parse. Later checks (template model, security, job specs, rule files) build on this.
/// </summary>
public sealed class RepositoryLinter
{
    /// <summary>Lints every product file under <paramref name="repositoryRoot"/>.</summary>
    public async Task<LintReport> LintRepositoryAsync(string repositoryRoot, CancellationToken cancellationToken)
    {
        var missing = ProductFiles.Roots.Where(r => !Directory.Exists(Path.Combine(repositoryRoot, r))).ToArray();
        if (missing.Length == ProductFiles.Roots.Count)
        {
            throw new PipelineInputException(Diagnostic.Error(
                new SourceLocation(repositoryRoot),
                "REPO-LAYOUT",
                "Neither jobs/ nor templates/ exists here, so there is nothing to lint",
                "run from the repository root, or give --working=<root>; to lint a single template use --templates=<path>"));
        }

        var files = await ProductFiles.ListAsync(repositoryRoot, cancellationToken);
        return await LintFilesAsync(repositoryRoot, files, cancellationToken);
    }

    /// <summary>Lints the given files (paths relative to <paramref name="baseDirectory"/>, or absolute).</summary>
    public async Task<LintReport> LintFilesAsync(string baseDirectory, IEnumerable<string> files, CancellationToken cancellationToken)
    {
        var findings = new List<Diagnostic>();
        var unparseable = new HashSet<string>(StringComparer.Ordinal);
        var checkedCount = 0;
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!SyntaxCheck.Applies(file))
            {
                continue;
            }

            checkedCount++;
            var bytes = await File.ReadAllBytesAsync(Path.Combine(baseDirectory, file), cancellationToken);
            var syntax = SyntaxCheck.Check(file, bytes);
            if (syntax is not null)
            {
                findings.Add(syntax);
                unparseable.Add(file);
            }
        }

        var sorted = findings
            .OrderBy(f => f.Location?.Source, StringComparer.Ordinal)
            .ThenBy(f => f.Location?.Line)
            .ThenBy(f => f.Location?.Column)
            .ToArray();
        return new LintReport(sorted, checkedCount, unparseable);
    }
}
