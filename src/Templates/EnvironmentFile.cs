using GluePipeline.Diagnostics;
using GluePipeline.Documents;

namespace GluePipeline.Templates;

/// <summary>
/// The parameters and tags of one environment, <c>templates/environments/&lt;env&gt;.json</c>, in
/// CodePipeline's template configuration format: <c>{"Parameters": {...}, "Tags": {...}}</c>.
/// </summary>
public sealed class EnvironmentFile
{
    private static readonly string[] Keys = ["Parameters", "Tags", "StackPolicy"];

    private EnvironmentFile(string path, string name)
    {
        Path = path;
        Name = name;
    }

    /// <summary>The file's path as shown in findings.</summary>
    public string Path { get; }

    /// <summary>The environment's name (the file name without .json), e.g. <c>livetest</c>.</summary>
    public string Name { get; }

    /// <summary>Parameter values with where each was written.</summary>
    public IReadOnlyDictionary<string, (string Value, SourceLocation Location)> Parameters { get; private init; } = new Dictionary<string, (string, SourceLocation)>();

    /// <summary>Stack tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; private init; } = new Dictionary<string, string>();

    /// <summary>Reads an environment file; the findings say what is wrong with its shape.</summary>
    public static (EnvironmentFile? File, IReadOnlyList<Diagnostic> Findings) Read(ParsedDocument document)
    {
        var findings = new List<Diagnostic>(document.Diagnostics);
        if (document.Root is null)
        {
            return (null, findings);
        }

        var name = System.IO.Path.GetFileNameWithoutExtension(document.Path);
        if (document.Root is not MappingNode root)
        {
            findings.Add(Diagnostic.Error(document.Root.Location, "CFN-ENV", "An environment file must be a JSON object", "write {\"Parameters\": {\"Name\": \"value\"}, \"Tags\": {}}"));
            return (null, findings);
        }

        foreach (var entry in root.Entries.Where(e => !Keys.Contains(e.Key)))
        {
            findings.Add(Diagnostic.Error(entry.KeyLocation, "CFN-ENV", $"Unknown key '{entry.Key}' in an environment file", "the keys are Parameters, Tags and StackPolicy (CodePipeline's template configuration format)"));
        }

        return (new EnvironmentFile(document.Path, name)
        {
            Parameters = StringMap(root, "Parameters", findings),
            Tags = StringMap(root, "Tags", findings).ToDictionary(p => p.Key, p => p.Value.Value, StringComparer.Ordinal),
        }, findings);
    }

    private static Dictionary<string, (string Value, SourceLocation Location)> StringMap(MappingNode root, string key, List<Diagnostic> findings)
    {
        var result = new Dictionary<string, (string Value, SourceLocation Location)>(StringComparer.Ordinal);
        if (root.Entry(key) is not { } entry)
        {
            return result;
        }

        if (entry.Value is not MappingNode map)
        {
            findings.Add(Diagnostic.Error(entry.Value.Location, "CFN-ENV", $"{key} must be an object of names to string values", $"write \"{key}\": {{\"Name\": \"value\"}}"));
            return result;
        }

        foreach (var item in map.Entries)
        {
            if (item.Value is not ScalarNode { Kind: ScalarKind.String } value)
            {
                findings.Add(Diagnostic.Error(item.Value.Location, "CFN-ENV", $"{key}.{item.Key} must be a string", $"write the value in quotes, e.g. \"{item.Key}\": \"{(item.Value as ScalarNode)?.Value ?? "value"}\" (lists as \"a,b\")"));
                continue;
            }

            result[item.Key] = (value.Value, item.KeyLocation);
        }

        return result;
    }
}
