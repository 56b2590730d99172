using GluePipeline.Diagnostics;
using GluePipeline.Documents;

namespace GluePipeline.Templates;

/// <summary>
/// Resolves the parameter values of one deployment: the values given (environment file, run
/// parameters) or else the Defaults, checked against the template's constraints.
/// </summary>
public static class ParameterValues
{
    /// <summary>The resolved values and what was wrong with the given ones.</summary>
    /// <param name="template">The template.</param>
    /// <param name="given">Values by name, with where each was written (null for values from the run).</param>
    /// <param name="missingValueLocation">Where to report a parameter that has no value (e.g. the environment file).</param>
    /// <param name="secretsAtDeploy">
    /// Lint: a NoEcho parameter without a value is fine (secrets are not committed; the deployment gets
    /// them as PIPELINE_PARAM_&lt;Name&gt;); it is evaluated as <c>****</c>.
    /// </param>
    public static (IReadOnlyDictionary<string, CfnValue> Values, IReadOnlyList<Diagnostic> Findings) Resolve(
        CfnTemplate template,
        IReadOnlyDictionary<string, (string Value, SourceLocation? Location)> given,
        SourceLocation missingValueLocation,
        bool secretsAtDeploy = false)
    {
        var findings = new List<Diagnostic>();
        var values = new Dictionary<string, CfnValue>(StringComparer.Ordinal);
        foreach (var (name, (_, location)) in given)
        {
            if (!template.Parameters.ContainsKey(name) && location is { } where)
            {
                findings.Add(Diagnostic.Error(where, "CFN-ENV", $"'{name}' is not a parameter of {template.Path}", Closest(name, template) is { } c ? $"did you mean '{c}'?" : "remove it, or declare it in the template"));
            }
        }

        foreach (var parameter in template.Parameters.Values)
        {
            string? value;
            SourceLocation where;
            if (given.TryGetValue(parameter.Name, out var supplied))
            {
                value = supplied.Value;
                where = supplied.Location ?? missingValueLocation;
            }
            else if (parameter.HasDefault)
            {
                value = parameter.Default ?? string.Empty;
                where = parameter.Definition["Default"]!.Location;
            }
            else if (parameter.NoEcho && secretsAtDeploy)
            {
                values[parameter.Name] = ToValue(parameter, "****");
                continue;
            }
            else
            {
                findings.Add(Diagnostic.Error(
                    missingValueLocation,
                    "CFN-ENV",
                    $"Parameter {parameter.Name} of {template.Path} has no value here and no Default",
                    parameter.NoEcho
                        ? $"give it when deploying as the environment variable PIPELINE_PARAM_{parameter.Name} (in CodeBuild, from Secrets Manager); a NoEcho value is never committed"
                        : $"add \"{parameter.Name}\": \"...\" under Parameters in {(missingValueLocation.Source.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? missingValueLocation.Source : "the environment file")}, export PIPELINE_PARAM_{parameter.Name}=..., or give it a Default in the template"));
                continue;
            }

            if (ParameterConstraints.Violation(parameter, value) is { } violation)
            {
                findings.Add(Diagnostic.Error(where, "CFN-PARAM-VALUE", $"The value of {parameter.Name} breaks its constraints: {violation}", "use a value the parameter allows"));
            }

            values[parameter.Name] = ToValue(parameter, value);
        }

        return (values, findings);
    }

    /// <summary>The names of the parameters whose values must never be shown (NoEcho).</summary>
    public static IReadOnlySet<string> Secret(CfnTemplate template) =>
        template.Parameters.Values.Where(p => p.NoEcho).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

    private static CfnValue ToValue(CfnParameter parameter, string value)
    {
        if (parameter.IsList)
        {
            var kind = parameter.Type == "List<Number>" ? ScalarKind.Number : ScalarKind.String;
            return new CfnList(value.Length == 0 ? [] : value.Split(',').Select(v => (CfnValue)new CfnScalar(kind == ScalarKind.Number ? v.Trim() : v, kind)).ToArray());
        }

        return new CfnScalar(value, parameter.IsNumeric ? ScalarKind.Number : ScalarKind.String);
    }

    private static string? Closest(string name, CfnTemplate template) => DocumentParser.Closest(name, template.Parameters.Keys);
}
