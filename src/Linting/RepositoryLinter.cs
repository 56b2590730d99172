using GluePipeline.Diagnostics;
using GluePipeline.Documents;
using GluePipeline.Repository;
using GluePipeline.Templates;
using GluePipeline.Templates.Rules;

namespace GluePipeline.Linting;

/// <summary>
/// Lint: parses and checks the product files of a repository (<see cref="ProductFiles"/>), or any
/// templates a user names. Templates get the CloudFormation model's structural checks; the
/// environment files are checked against the main template and the template is evaluated with each.
/// </summary>
/// <param name="options">How strict to be.</param>
public sealed class RepositoryLinter(LintOptions options)
{
    /// <summary>Creates a linter with the default options (warnings stay warnings).</summary>
    public RepositoryLinter()
        : this(new LintOptions())
    {
    }

    /// <summary>The template the environment files hold parameters for.</summary>
    public const string MainTemplate = "templates/etl.yaml";

    /// <summary>The generic runtime every declarative job runs on Glue.</summary>
    public const string RuntimeScript = "jobs/runtime/glue_runtime.py";

    /// <summary>The folder of the environment files (<c>&lt;env&gt;.json</c>).</summary>
    public const string EnvironmentsFolder = "templates/environments/";

    /// <summary>What CodeBuild runs for every action of the pipeline stack.</summary>
    public const string Buildspec = "buildspec.yml";

    /// <summary>The CI/CD pipeline stack's template (DeployPipeline).</summary>
    public const string PipelineTemplate = "templates/pipeline.yaml";

    /// <summary>The pipeline stack's parameters (DeployPipeline), checked against <see cref="PipelineTemplate"/>.</summary>
    public const string PipelineEnvironment = EnvironmentsFolder + "pipeline.json";

    /// <summary>Rule id of a file Lint itself failed on (a bug in Lint, reported instead of a stack trace).</summary>
    public const string InternalRule = "LINT-INTERNAL";

    /// <summary>Whether a repository path is a CloudFormation template (YAML/JSON under templates/, outside environments/).</summary>
    public static bool IsTemplatePath(string path) =>
        path.StartsWith("templates/", StringComparison.Ordinal) && !path.StartsWith(EnvironmentsFolder, StringComparison.Ordinal) && DocumentParser.Applies(path);

    /// <summary>Whether a repository path is a job spec (<c>jobs/&lt;name&gt;/job.yaml</c>).</summary>
    public static bool IsJobSpecPath(string path) =>
        path.StartsWith("jobs/", StringComparison.Ordinal) && path.EndsWith("/" + Jobs.JobSpecReader.FileName, StringComparison.Ordinal) && path.Count(c => c == '/') == 2;

    /// <summary>Whether a path is an environment file.</summary>
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
        var run = new LintRun(options, files, repositoryRoot);
        CfnTemplate? main = null;
        CfnTemplate? pipeline = null;
        var environments = new List<EnvironmentFile>();
        foreach (var file in files.Where(f => DocumentParser.Applies(f) || f.EndsWith(".dqdl", StringComparison.OrdinalIgnoreCase)))
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
                    else if (file == PipelineTemplate)
                    {
                        pipeline = template;
                    }
                }
                else if (file.EndsWith(".dqdl", StringComparison.OrdinalIgnoreCase))
                {
                    run.CheckRules(file, bytes);
                }
                else if (IsJobSpecPath(file))
                {
                    var parsed = run.Parse(file, bytes, DocumentDialect.Plain);
                    var folder = file[..file.LastIndexOf('/')];
                    var (_, findings) = Jobs.JobSpecReader.Read(parsed, Path.Combine(repositoryRoot, folder), folder);
                    run.Findings.AddRange(findings.Except(parsed.Diagnostics));
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

        // CodeBuild's buildspec: a command YAML reads as a mapping (an unquoted ": ") fails only in CodeBuild.
        var buildspec = Path.Combine(repositoryRoot, Buildspec);
        if (File.Exists(buildspec))
        {
            var bytes = await File.ReadAllBytesAsync(buildspec, cancellationToken);
            run.Guard(Buildspec, () => run.CheckBuildspec(run.Parse(Buildspec, bytes, DocumentDialect.Plain)));
        }

        // templates/environments/pipeline.json holds the pipeline stack's parameters; the others the ETL stack's.
        foreach (var environment in environments)
        {
            if ((environment.Path == PipelineEnvironment ? pipeline : main) is { } template)
            {
                run.Guard(environment.Path, () => run.CheckEnvironment(template, environment));
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
        var run = new LintRun(options, null);
        foreach (var (display, full) in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var bytes = await File.ReadAllBytesAsync(full, cancellationToken);
            run.Guard(display, () => run.CheckTemplate(display, bytes));
        }

        return run.Report();
    }

    /// <summary>Checks one template's text (no environment files); used by tests and the fuzz test.</summary>
    public static LintReport LintTemplateText(string displayPath, string text, LintOptions? options = null)
    {
        var run = new LintRun(options ?? new LintOptions(), null);
        run.Guard(displayPath, () => run.CheckTemplate(displayPath, System.Text.Encoding.UTF8.GetBytes(text)));
        return run.Report();
    }

    /// <summary>The findings of one Lint run as they accumulate.</summary>
    /// <param name="options">How strict to be.</param>
    /// <param name="productFiles">The files of our package, or null for foreign templates (then package checks do not apply).</param>
    /// <param name="repositoryRoot">The repository, to read the job specs the template's jobs run (null for foreign templates).</param>
    private sealed class LintRun(LintOptions options, IReadOnlyList<string>? productFiles, string? repositoryRoot = null)
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

        /// <summary>A DQDL rule file: syntax errors make it unparseable, rule mistakes are errors.</summary>
        public void CheckRules(string path, byte[] bytes)
        {
            _files++;
            var (_, findings) = Validation.Dqdl.DqdlParser.TryParse(path, System.Text.Encoding.UTF8.GetString(bytes));
            Findings.AddRange(findings);
            if (findings.Any(f => f.Rule == "DQDL-SYNTAX"))
            {
                _unparseable.Add(path);
            }
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
            var structural = TemplateChecks.Run(template);
            Findings.AddRange(structural);
            if (!template.Findings.Concat(structural).Any(f => f.Severity == Severity.Error))
            {
                var graph = new TemplateGraph(template);
                Findings.AddRange(ResourceRules.Check(graph));
                Findings.AddRange(SecurityRules.Check(graph));
                Findings.AddRange(NetworkRules.Check(graph));
            }

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

            var (values, findings) = ParameterValues.Resolve(template, given, new SourceLocation(environment.Path, 1, 1), secretsAtDeploy: true);
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
                        var properties = evaluator.EvaluateProperties(resource);
                        if (resource.Type == "AWS::Glue::Job" && productFiles is not null)
                        {
                            CheckPackageReferences(resource, properties, values);
                        }
                    }
                });
            }

            Evaluate(() => evaluator.EvaluateOutputs());
        }

        /// <summary>
        /// A job of our package must run the bytes that were tested: its ScriptLocation, and every
        /// DefaultArguments value that points into the published artifact, must name a file the
        /// artifact holds.
        /// </summary>
        private void CheckPackageReferences(CfnResource job, CfnMap properties, IReadOnlyDictionary<string, CfnValue> values)
        {
            var bucket = values.GetValueOrDefault(RunParameters.ArtifactBucket) is CfnScalar b ? b.Value : null;
            var prefix = values.GetValueOrDefault(RunParameters.ArtifactPrefix) is CfnScalar p ? p.Value.TrimEnd('/') : null;
            var artifactRoot = bucket is null || prefix is null ? null : $"s3://{bucket}/{prefix}/";
            var scriptNode = job.Properties?["Command"] is MappingNode command ? command["ScriptLocation"] : null;
            var script = (properties["Command"] as CfnMap)?["ScriptLocation"] is CfnScalar s ? s.Value : null;
            if (script is not null && scriptNode is not null)
            {
                if (artifactRoot is null || !script.StartsWith(artifactRoot, StringComparison.Ordinal))
                {
                    Findings.Add(Diagnostic.Error(scriptNode.Location, "PKG-SCRIPT", $"Job {job.LogicalId} runs {script}, which is not in the published artifact", "point ScriptLocation into the artifact: !Sub s3://${ArtifactBucket}/${ArtifactPrefix}/jobs/<job>/<script>.py (the template needs the ArtifactBucket and ArtifactPrefix parameters)"));
                }
                else if (!productFiles!.Contains(script[artifactRoot.Length..], StringComparer.Ordinal))
                {
                    Findings.Add(Diagnostic.Error(scriptNode.Location, "PKG-SCRIPT", $"Job {job.LogicalId} runs {script[artifactRoot.Length..]}, which the artifact does not hold", "add the script under jobs/ (and git add it), or fix the path"));
                }
            }

            if (artifactRoot is null || properties["DefaultArguments"] is not CfnMap arguments || job.Properties?["DefaultArguments"] is not MappingNode argumentNodes)
            {
                return;
            }

            if (script is not null && script == artifactRoot + RuntimeScript)
            {
                CheckRuntimeArguments(job, arguments, argumentNodes, artifactRoot, properties);
            }

            foreach (var (name, value) in arguments.Entries)
            {
                if (value is CfnScalar { Value: var text } && text.StartsWith(artifactRoot, StringComparison.Ordinal) &&
                    !productFiles!.Contains(text[artifactRoot.Length..], StringComparer.Ordinal) &&
                    !productFiles!.Any(f => f.StartsWith(text[artifactRoot.Length..].TrimEnd('/') + "/", StringComparison.Ordinal)))
                {
                    Findings.Add(Diagnostic.Error(argumentNodes.Entry(name)?.Value.Location ?? job.Location, "PKG-FILE", $"Job {job.LogicalId} argument {name} points at {text[artifactRoot.Length..]}, which the artifact does not hold", "add the file under jobs/ (and git add it), or fix the path"));
                }
            }
        }

        /// <summary>
        /// A job that runs the generic declarative runtime must hand it what its spec needs: the
        /// spec itself (--job_spec, in the artifact), every argument the spec declares without a
        /// default, no argument the spec does not know (a typo would be ignored on Glue), Glue's
        /// job bookmarks for a file bookmark, and a state location for a column bookmark.
        /// </summary>
        private void CheckRuntimeArguments(CfnResource job, CfnMap arguments, MappingNode argumentNodes, string artifactRoot, CfnMap properties)
        {
            var at = job.Properties?.Entry("DefaultArguments")?.KeyLocation ?? job.Location;
            if (arguments["--job_spec"] is not CfnScalar { Value: var specUrl })
            {
                Findings.Add(Diagnostic.Error(at, "GLUE-RUNTIME", $"Job {job.LogicalId} runs the declarative runtime but has no --job_spec", $"add --job_spec: !Sub s3://${{ArtifactBucket}}/${{ArtifactPrefix}}/jobs/<name>/{Jobs.JobSpecReader.FileName}"));
                return;
            }

            var relative = specUrl.StartsWith(artifactRoot, StringComparison.Ordinal) ? specUrl[artifactRoot.Length..] : null;
            if (relative is null || repositoryRoot is null || !IsJobSpecPath(relative) || !File.Exists(Path.Combine(repositoryRoot, relative)))
            {
                return; // PKG-FILE reports a spec the artifact does not hold
            }

            var folder = relative[..relative.LastIndexOf('/')];
            var parsed = DocumentParser.Parse(relative, File.ReadAllBytes(Path.Combine(repositoryRoot, relative)), DocumentDialect.Plain);
            if (Jobs.JobSpecReader.Read(parsed, Path.Combine(repositoryRoot, folder), folder).Spec is not { } spec)
            {
                return; // the spec's own findings are reported on the spec
            }

            var given = arguments.Entries.Select(e => e.Key).Where(k => k.StartsWith("--", StringComparison.Ordinal)).Select(k => k[2..]).ToHashSet(StringComparer.Ordinal);
            foreach (var argument in spec.Arguments.Where(a => a.Default is null && !given.Contains(a.Name)))
            {
                Findings.Add(Diagnostic.Error(at, "GLUE-RUNTIME", $"Job {job.LogicalId} runs {relative}, which needs --{argument.Name} (it has no default)", $"add --{argument.Name}: <value> to DefaultArguments"));
            }

            var known = spec.Arguments.Select(a => a.Name).Concat(["job_spec", "bookmark_state"]).ToArray();
            foreach (var name in given.Where(n => !known.Contains(n, StringComparer.Ordinal) && !Jobs.JobArguments.GlueReserved.Contains(n)))
            {
                var closest = DocumentParser.Closest(name, known);
                Findings.Add(Diagnostic.Error(argumentNodes.Entry("--" + name)?.KeyLocation ?? at, "GLUE-RUNTIME", $"Job {job.LogicalId} passes --{name}, which {relative} does not declare", closest is null ? $"declare it under arguments: in {relative}, or remove it" : $"did you mean --{closest}?"));
            }

            if (spec.Bookmark is { Kind: Jobs.BookmarkKind.Files } && (arguments["--job-bookmark-option"] as CfnScalar)?.Value != "job-bookmark-enable")
            {
                Findings.Add(Diagnostic.Error(argumentNodes.Entry("--job-bookmark-option")?.Value.Location ?? at, "GLUE-RUNTIME", $"Job {job.LogicalId} runs {relative}, whose file bookmark needs Glue's job bookmarks", "set --job-bookmark-option: job-bookmark-enable"));
            }

            if (spec.Bookmark is { Kind: Jobs.BookmarkKind.Column } && !given.Contains("bookmark_state"))
            {
                Findings.Add(Diagnostic.Error(at, "GLUE-RUNTIME", $"Job {job.LogicalId} runs {relative}, whose column bookmark keeps its state in S3", "add --bookmark_state: !Sub s3://${StateBucket}/bookmarks/${AWS::StackName}/ (one location per stack)"));
            }

            CheckRuntimeConnections(job, spec, relative, arguments, argumentNodes, at, properties);
        }

        /// <summary>
        /// A job that reads or writes through a Glue connection must list it in its Connections: Glue
        /// gives a job the connection's network (VPC, subnet, security group) only then, and the run
        /// fails to reach the database after minutes of start-up. Glue's own job bookmarks would also
        /// filter a JDBC source by its primary key behind the spec's back.
        /// </summary>
        private void CheckRuntimeConnections(CfnResource job, Jobs.JobSpec spec, string relative, CfnMap arguments, MappingNode argumentNodes, SourceLocation at, CfnMap properties)
        {
            var references = spec.Sources.Select(s => s.Jdbc).Append(spec.Sink.Jdbc).OfType<Jobs.JdbcRef>().Select(j => j.Connection).Distinct(StringComparer.Ordinal).ToArray();
            if (references.Length == 0)
            {
                return;
            }

            // Compared as evaluated: ${source_connection} is the argument --source_connection, typically !Ref <an AWS::Glue::Connection>.
            var listed = ((properties["Connections"] as CfnMap)?["Connections"] as CfnList)?.Items.OfType<CfnScalar>().Select(i => i.Value).ToHashSet(StringComparer.Ordinal) ?? [];
            foreach (var reference in references)
            {
                var placeholder = Jobs.JobArguments.Placeholders(reference).Select(p => p.Name).FirstOrDefault();
                var name = placeholder is null ? reference : (arguments["--" + placeholder] as CfnScalar)?.Value;
                if (name is null || listed.Contains(name))
                {
                    continue;
                }

                var target = placeholder is not null && argumentNodes["--" + placeholder] is MappingNode { Entries.Count: 1 } map && map["Ref"] is ScalarNode r ? r.Value : null;
                Findings.Add(Diagnostic.Error(job.Properties?.Entry("Connections")?.KeyLocation ?? at, "GLUE-RUNTIME",
                    $"Job {job.LogicalId} runs {relative}, which goes through connection {target ?? name}, but the job does not list it in Connections: on Glue it cannot reach the database",
                    target is not null ? $"add Connections: {{Connections: [!Ref {target}]}}" : $"add Connections: {{Connections: [{name}]}}"));
            }

            if ((arguments["--job-bookmark-option"] as CfnScalar)?.Value == "job-bookmark-enable" && spec.Sources.Any(s => s.Jdbc is not null) && spec.Bookmark is not { Kind: Jobs.BookmarkKind.Files })
            {
                Findings.Add(Diagnostic.Warning(argumentNodes.Entry("--job-bookmark-option")?.Value.Location ?? at, "GLUE-RUNTIME",
                    $"Job {job.LogicalId} runs {relative} with Glue's job bookmarks on: Glue would also skip JDBC rows by primary key, which the local runtime does not",
                    "set --job-bookmark-option: job-bookmark-disable (bookmark a JDBC source with bookmark: {by: column} in the spec)"));
            }
        }


        /// <summary>The buildspec as CodeBuild reads it: version 0.2, and each command of each phase one string for the shell.</summary>
        public void CheckBuildspec(ParsedDocument parsed)
        {
            if (parsed.Root is not MappingNode root)
            {
                return;
            }

            if (root["version"] is not ScalarNode { Value: "0.2" })
            {
                Findings.Add(Diagnostic.Error(root["version"]?.Location ?? new SourceLocation(parsed.Path, 1, 1), "BUILDSPEC", "The buildspec's version is not 0.2", "write version: 0.2 (the version in which every command of a build runs in one shell)"));
            }

            if (root["phases"] is not MappingNode phases)
            {
                return;
            }

            foreach (var phase in phases.Entries)
            {
                foreach (var list in (phase.Value as MappingNode)?.Entries.Where(e => e.Key is "commands" or "finally") ?? [])
                {
                    foreach (var command in (list.Value as SequenceNode)?.Items.Where(i => i is not ScalarNode) ?? [])
                    {
                        Findings.Add(Diagnostic.Error(command.Location, "BUILDSPEC", $"A command of phase {phase.Key} ({list.Key}) is not a string: YAML reads it as a {(command is MappingNode ? "mapping (it holds \": \")" : "list")}, and CodeBuild rejects the buildspec", "quote the whole command ('...'), or write it as a block: - |"));
                    }
                }
            }
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
                .Select(f => options.Strict && f.Severity == Severity.Warning ? f with { Severity = Severity.Error } : f)
                .Distinct()
                .OrderBy(f => f.Location?.Source, StringComparer.Ordinal)
                .ThenBy(f => f.Location?.Line)
                .ThenBy(f => f.Location?.Column)
                .ToArray();
            return new LintReport(sorted, _files, _unparseable);
        }
    }
}
