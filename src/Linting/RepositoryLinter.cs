using GluePipeline.Diagnostics;
using GluePipeline.Documents;
using GluePipeline.Repository;
using GluePipeline.Templates;

namespace GluePipeline.Linting;

/// <summary>
/// Lint: parses and checks the product files of a repository (<see cref="ProductFiles"/>), or any
/// templates a user names. Templates get the CloudFormation model's structural checks; the
/// environment files are checked against the main template and the template is evaluated with each.
/// </summary>
public sealed class RepositoryLinter
{
    /// <summary>The template the environment files hold parameters for.</summary>
    public const string MainTemplate = "templates/etl.yaml";

    /// <summary>The folder of the environment files (<c>&lt;env&gt;.json</c>).</summary>
    public const string EnvironmentsFolder = "templates/environments/";

    /// <summary>Rule id of a file Lint itself failed on (a bug in Lint, reported instead of a stack trace).</summary>
    public const string InternalRule = "LINT-INTERNAL";

    /// <summary>Whether a repository path is a CloudFormation template (YAML/JSON under templates/, outside environments/).</summary>
    public static bool IsTemplatePath(string path) =>
        path.StartsWith("templates/", StringComparison.Ordinal) && !path.StartsWith(EnvironmentsFolder, StringComparison.Ordinal) && DocumentParser.Applies(path);

    /// <summary>Whether a repository path is an environment file.</summary>
    public static bool IsEnvironmentPath(string path) =>
        path.StartsWith(EnvironmentsFolder, StringComparison.Ordinal) && path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

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
        var run = new LintRun();
        CfnTemplate? main = null;
        var environments = new List<EnvironmentFile>();
        foreach (var file in files.Where(DocumentParser.Applies))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var bytes = await File.ReadAllBytesAsync(Path.Combine(repositoryRoot, file), cancellationToken);
            run.Guard(file, () =>
            {
                if (IsTemplatePath(file))
                {
                    var template = run.CheckTemplate(file, bytes);
                    if (file == MainTemplate)
                    {
                        main = template;
                    }
                }
                else if (IsEnvironmentPath(file))
                {
                    var parsed = run.Parse(file, bytes, DocumentDialect.Plain);
                    var (environment, findings) = EnvironmentFile.Read(parsed);
                    run.Findings.AddRange(findings.Except(parsed.Diagnostics));
                    if (environment is not null)
                    {
                        environments.Add(environment);
                    }
                }
                else
                {
                    run.Parse(file, bytes, DocumentDialect.Plain);
                }
            });
        }

        if (main is not null)
        {
            foreach (var environment in environments)
            {
                run.Guard(environment.Path, () => run.CheckEnvironment(main, environment));
            }
        }

        return run.Report();
    }

    /// <summary>
    /// Lints templates a user names (<c>--templates</c>), which need not be ours: the template checks
    /// apply, the checks about our package and environment files do not.
    /// </summary>
    /// <param name="files">The files, as (path to show, full path).</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    public async Task<LintReport> LintTemplatesAsync(IEnumerable<(string DisplayPath, string FullPath)> files, CancellationToken cancellationToken)
    {
        var run = new LintRun();
        foreach (var (display, full) in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var bytes = await File.ReadAllBytesAsync(full, cancellationToken);
            run.Guard(display, () => run.CheckTemplate(display, bytes));
        }

        return run.Report();
    }

    /// <summary>Checks one template's text (no environment files); used by tests and the fuzz test.</summary>
    public static LintReport LintTemplateText(string displayPath, string text)
    {
        var run = new LintRun();
        run.Guard(displayPath, () => run.CheckTemplate(displayPath, System.Text.Encoding.UTF8.GetBytes(text)));
        return run.Report();
    }

    /// <summary>The findings of one Lint run as they accumulate.</summary>
    private sealed class LintRun
    {
        private readonly HashSet<string> _unparseable = new(StringComparer.Ordinal);
        private int _files;

        public List<Diagnostic> Findings { get; } = [];

        public ParsedDocument Parse(string path, byte[] bytes, DocumentDialect dialect)
        {
            _files++;
            var parsed = DocumentParser.Parse(path, bytes, dialect);
            Findings.AddRange(parsed.Diagnostics);
            if (!parsed.IsParseable)
            {
                _unparseable.Add(path);
            }

            return parsed;
        }

        public CfnTemplate? CheckTemplate(string path, byte[] bytes)
        {
            var parsed = Parse(path, bytes, DocumentDialect.CloudFormation);
            var template = CfnTemplate.From(parsed);
            if (template is null)
            {
                return null;
            }

            Findings.AddRange(template.Findings);
            Findings.AddRange(TemplateChecks.Run(template));
            return template;
        }

        public void CheckEnvironment(CfnTemplate template, EnvironmentFile environment)
        {
            var given = environment.Parameters.ToDictionary(p => p.Key, p => (p.Value.Value, (SourceLocation?)p.Value.Location), StringComparer.Ordinal);
            foreach (var (name, value) in RunParameters.LintValues)
            {
                if (template.Parameters.ContainsKey(name) && !given.ContainsKey(name))
                {
                    given[name] = (value, null);
                }
            }

            var (values, findings) = ParameterValues.Resolve(template, given, new SourceLocation(environment.Path, 1, 1));
            Findings.AddRange(findings);
            if (findings.Count > 0 || Findings.Any(f => f.Severity == Severity.Error && f.Location?.Source == template.Path))
            {
                return; // evaluating a template that already has errors would only repeat them
            }

            var evaluator = new TemplateEvaluator(template, values, new PseudoParameters($"lint-{environment.Name}"));
            void Evaluate(Action action)
            {
                try
                {
                    action();
                }
                catch (TemplateEvaluationException ex)
                {
                    var d = ex.Diagnostic;
                    Findings.Add(d with { Message = $"With {environment.Path}: {d.Message.TrimEnd('.')}" });
                }
            }

            foreach (var resource in template.Resources.Values)
            {
                Evaluate(() =>
                {
                    if (evaluator.IsIncluded(resource))
                    {
                        evaluator.EvaluateProperties(resource);
                    }
                });
            }

            Evaluate(() => evaluator.EvaluateOutputs());
        }

        /// <summary>Runs a check; a bug in Lint becomes a finding, never a stack trace.</summary>
        public void Guard(string path, Action check)
        {
            try
            {
                check();
            }
#pragma warning disable CA1031 // A user must get a report, not a crash, whatever Lint trips over.
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                Findings.Add(Diagnostic.Error(new SourceLocation(path, 1, 1), InternalRule, $"Lint could not check this file ({ex.GetType().Name}: {ex.Message})", "this is a bug in Lint; please report it with the file"));
            }
        }

        public LintReport Report()
        {
            var sorted = Findings
                .Distinct()
                .OrderBy(f => f.Location?.Source, StringComparer.Ordinal)
                .ThenBy(f => f.Location?.Line)
                .ThenBy(f => f.Location?.Column)
                .ToArray();
            return new LintReport(sorted, _files, _unparseable);
        }
    }
}
