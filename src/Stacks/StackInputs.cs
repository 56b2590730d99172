using GluePipeline.Diagnostics;
using GluePipeline.Documents;
using GluePipeline.Linting;
using GluePipeline.Templates;

namespace GluePipeline.Stacks;

/// <summary>
/// What a stack is deployed from, read the same way in both lanes: the artifact's template (parsed and
/// checked), the environment file's parameters and tags, <c>PIPELINE_PARAM_&lt;Name&gt;</c> overrides
/// (secrets are not committed), and the run parameters (name suffix, artifact bucket and prefix) for
/// the template parameters that exist and were not given.
/// </summary>
/// <param name="Template">The parsed template.</param>
/// <param name="TemplateBytes">The template exactly as packaged (what CloudFormation receives).</param>
/// <param name="Values">Every parameter's value, defaults applied.</param>
/// <param name="Secrets">The names of the NoEcho parameters that have a value.</param>
/// <param name="EnvironmentTags">The environment file's tags.</param>
public sealed record StackInputs(CfnTemplate Template, byte[] TemplateBytes, IReadOnlyDictionary<string, CfnValue> Values, IReadOnlySet<string> Secrets, IReadOnlyDictionary<string, string> EnvironmentTags)
{
    /// <summary>Environment variables that give parameters (secrets, typically): <c>PIPELINE_PARAM_DbPassword</c>.</summary>
    public const string ParameterVariable = "PIPELINE_PARAM_";

    /// <summary>A parameter's value as text (what CloudFormation is sent).</summary>
    public string Text(string name) => Values[name] is CfnScalar scalar ? scalar.AsString() : Values[name].ToString();

    /// <summary>Every parameter as text, the secrets' values included (for CloudFormation, never for logs).</summary>
    public IReadOnlyDictionary<string, string> Texts() => Values.Keys.ToDictionary(n => n, Text, StringComparer.Ordinal);

    /// <summary>Every parameter as text with the secrets masked (for manifests and logs).</summary>
    public IReadOnlyDictionary<string, string> MaskedTexts() => Values.Keys.ToDictionary(n => n, n => Secrets.Contains(n) ? SecretMask.Masked : Text(n), StringComparer.Ordinal);

    /// <summary>A mask that hides every secret parameter's value wherever it appears.</summary>
    public SecretMask Mask() => new(Secrets.Select(Text));

    /// <summary>Reads the template and environment of an unpacked artifact; bad input is one error per finding, with file:line.</summary>
    /// <param name="artifactFolder">The artifact's files.</param>
    /// <param name="templateName">The template's path in the artifact (<c>templates/etl.yaml</c>).</param>
    /// <param name="environment">The environment (<c>livetest</c>, <c>prod</c>).</param>
    /// <param name="runParameters">Values for the template's run parameters (name suffix, artifact bucket, prefix).</param>
    /// <param name="variable">How to read an environment variable (tests give their own).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<StackInputs> ReadAsync(string artifactFolder, string templateName, string environment, IReadOnlyDictionary<string, string> runParameters, Func<string, string?>? variable = null, CancellationToken cancellationToken = default)
    {
        variable ??= System.Environment.GetEnvironmentVariable;
        var templatePath = Path.Combine(artifactFolder, templateName);
        if (!File.Exists(templatePath))
        {
            throw new PipelineInputException(Diagnostic.Error(new SourceLocation(templateName), "STACK-TEMPLATE", $"The artifact has no {templateName}", "package the template (it must be under templates/ and tracked by git)"));
        }

        var bytes = await File.ReadAllBytesAsync(templatePath, cancellationToken);
        var parsed = DocumentParser.Parse(templateName, bytes, DocumentDialect.CloudFormation);
        var template = CfnTemplate.From(parsed);
        var errors = parsed.Diagnostics.Concat(template?.Findings ?? []).Concat(template is null ? [] : TemplateChecks.Run(template)).Where(d => d.Severity == Severity.Error).ToArray();
        if (template is null || errors.Length > 0)
        {
            throw new PipelineInputException(errors.Length > 0 ? errors : [Diagnostic.Error(new SourceLocation(templateName), "STACK-TEMPLATE", "The template cannot be read", "run --target=Lint")]);
        }

        var given = new Dictionary<string, (string Value, SourceLocation? Location)>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, string> tags = new Dictionary<string, string>(StringComparer.Ordinal);
        var environmentDisplay = $"{RepositoryLinter.EnvironmentsFolder}{environment}.json";
        var environmentPath = Path.Combine(artifactFolder, environmentDisplay);
        if (File.Exists(environmentPath))
        {
            var (file, findings) = EnvironmentFile.Read(DocumentParser.Parse(environmentDisplay, await File.ReadAllBytesAsync(environmentPath, cancellationToken), DocumentDialect.Plain));
            if (file is null || findings.Any(f => f.Severity == Severity.Error))
            {
                throw new PipelineInputException(findings.Where(f => f.Severity == Severity.Error));
            }

            foreach (var (name, value) in file.Parameters)
            {
                given[name] = (value.Value, value.Location);
            }

            tags = file.Tags;
        }

        // Secrets are not committed: CI passes them as PIPELINE_PARAM_<Name> (e.g. from Secrets Manager in CodeBuild).
        foreach (var name in template.Parameters.Keys)
        {
            if (variable(ParameterVariable + name) is { } fromEnvironment)
            {
                given[name] = (fromEnvironment, new SourceLocation($"${ParameterVariable}{name}"));
            }
        }

        foreach (var (name, value) in runParameters.Where(r => template.Parameters.ContainsKey(r.Key) && !given.ContainsKey(r.Key)))
        {
            given[name] = (value, null);
        }

        var (values, parameterFindings) = ParameterValues.Resolve(template, given, File.Exists(environmentPath) ? new SourceLocation(environmentDisplay, 1, 1) : new SourceLocation(environmentDisplay));
        if (parameterFindings.Any(f => f.Severity == Severity.Error))
        {
            throw new PipelineInputException(parameterFindings.Where(f => f.Severity == Severity.Error));
        }

        var secrets = ParameterValues.Secret(template).Where(values.ContainsKey).ToHashSet(StringComparer.Ordinal);
        return new StackInputs(template, bytes, values, secrets, tags);
    }
}
