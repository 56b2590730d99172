using System.Globalization;
using System.Text.RegularExpressions;
using GluePipeline.Diagnostics;
using GluePipeline.Documents;

namespace GluePipeline.Templates;

/// <summary>A template parameter with its declared constraints.</summary>
public sealed record CfnParameter(string Name, SourceLocation Location, MappingNode Definition)
{
    /// <summary>The declared Type (e.g. <c>String</c>, <c>Number</c>, <c>CommaDelimitedList</c>, <c>AWS::EC2::VPC::Id</c>).</summary>
    public string? Type => Scalar("Type");

    /// <summary>The Default as written, or null.</summary>
    public string? Default => Definition["Default"] switch
    {
        ScalarNode { Kind: not ScalarKind.Null } s => s.Value,
        SequenceNode list => string.Join(',', list.Items.OfType<ScalarNode>().Select(i => i.Value)),
        _ => null,
    };

    /// <summary>Whether the template declares a Default (even an empty one).</summary>
    public bool HasDefault => Definition.Has("Default");

    /// <summary>AllowedValues, or null.</summary>
    public IReadOnlyList<string>? AllowedValues => Definition["AllowedValues"] is SequenceNode list
        ? list.Items.OfType<ScalarNode>().Select(i => i.Value).ToArray()
        : null;

    /// <summary>AllowedPattern, or null.</summary>
    public string? AllowedPattern => Scalar("AllowedPattern");

    /// <summary>MinLength, or null.</summary>
    public decimal? MinLength => Number("MinLength");

    /// <summary>MaxLength, or null.</summary>
    public decimal? MaxLength => Number("MaxLength");

    /// <summary>MinValue, or null.</summary>
    public decimal? MinValue => Number("MinValue");

    /// <summary>MaxValue, or null.</summary>
    public decimal? MaxValue => Number("MaxValue");

    /// <summary>Whether the value must never be shown (NoEcho: true).</summary>
    public bool NoEcho => Scalar("NoEcho") is { } v && v.Equals("true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The ConstraintDescription, or null.</summary>
    public string? ConstraintDescription => Scalar("ConstraintDescription");

    /// <summary>Whether values are lists (CommaDelimitedList, List&lt;...&gt;).</summary>
    public bool IsList => Type is { } t && (t == "CommaDelimitedList" || t.StartsWith("List<", StringComparison.Ordinal));

    /// <summary>Whether values are numbers (Number, List&lt;Number&gt;).</summary>
    public bool IsNumeric => Type is "Number" or "List<Number>";

    /// <summary>Whether the value comes from SSM Parameter Store at deploy time.</summary>
    public bool IsSsm => Type is { } t && t.StartsWith("AWS::SSM::Parameter::Value<", StringComparison.Ordinal);

    private string? Scalar(string key) => Definition[key] is ScalarNode { Kind: not ScalarKind.Null } s ? s.Value : null;

    private decimal? Number(string key) =>
        Scalar(key) is { } text && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null;
}

/// <summary>A resource of a template.</summary>
public sealed record CfnResource(string LogicalId, SourceLocation Location, MappingNode Definition)
{
    /// <summary>The resource type (e.g. <c>AWS::S3::Bucket</c>), or null when missing.</summary>
    public string? Type => Definition["Type"] is ScalarNode { Kind: ScalarKind.String } s ? s.Value : null;

    /// <summary>The Properties mapping, or null.</summary>
    public MappingNode? Properties => Definition["Properties"] as MappingNode;

    /// <summary>The name of the condition that decides whether the resource exists, or null.</summary>
    public string? Condition => Definition["Condition"] is ScalarNode s ? s.Value : null;

    /// <summary>DeletionPolicy, or null.</summary>
    public string? DeletionPolicy => Definition["DeletionPolicy"] is ScalarNode s ? s.Value : null;

    /// <summary>The DependsOn targets with their positions.</summary>
    public IReadOnlyList<(string Name, SourceLocation Location)> DependsOn => Definition["DependsOn"] switch
    {
        ScalarNode s => [(s.Value, s.Location)],
        SequenceNode list => list.Items.OfType<ScalarNode>().Select(i => (i.Value, i.Location)).ToArray(),
        _ => [],
    };

    /// <summary>Whether the type is a custom resource (backed by a Lambda function or an SNS topic).</summary>
    public bool IsCustom => Type is { } t && (t.StartsWith("Custom::", StringComparison.Ordinal) || t == "AWS::CloudFormation::CustomResource");
}

/// <summary>An output of a template.</summary>
public sealed record CfnOutput(string Name, SourceLocation Location, MappingNode Definition)
{
    /// <summary>The Value node, or null when missing.</summary>
    public DocumentNode? Value => Definition["Value"];

    /// <summary>The condition that decides whether the output exists, or null.</summary>
    public string? Condition => Definition["Condition"] is ScalarNode s ? s.Value : null;
}

/// <summary>
/// A CloudFormation template: the sections of a parsed document, read leniently (a malformed
/// section is recorded as a finding and left out, never thrown), so that Lint can report everything
/// at once and the local stack and the aws deployer can rely on what is here.
/// </summary>
public sealed partial class CfnTemplate
{
    /// <summary>The top-level keys CloudFormation accepts.</summary>
    public static IReadOnlyList<string> TopLevelKeys { get; } =
        ["AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings", "Conditions", "Transform", "Resources", "Outputs"];

    /// <summary>The attributes a resource may have besides Type.</summary>
    public static IReadOnlyList<string> ResourceKeys { get; } =
        ["Type", "Properties", "DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy", "Metadata", "CreationPolicy", "UpdatePolicy", "Version"];

    /// <summary>The keys a parameter may have.</summary>
    public static IReadOnlyList<string> ParameterKeys { get; } =
        ["Type", "Default", "AllowedValues", "AllowedPattern", "ConstraintDescription", "Description", "MaxLength", "MaxValue", "MinLength", "MinValue", "NoEcho"];

    /// <summary>The keys an output may have.</summary>
    public static IReadOnlyList<string> OutputKeys { get; } = ["Description", "Value", "Export", "Condition"];

    /// <summary>The pseudo parameters, usable with Ref and in Sub.</summary>
    public static IReadOnlyList<string> PseudoParameters { get; } =
        ["AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"];

    private CfnTemplate(ParsedDocument document, MappingNode root, List<Diagnostic> findings)
    {
        Document = document;
        Root = root;
        Findings = findings;
    }

    /// <summary>The parsed document.</summary>
    public ParsedDocument Document { get; }

    /// <summary>The path shown in findings.</summary>
    public string Path => Document.Path;

    /// <summary>The root mapping.</summary>
    public MappingNode Root { get; }

    /// <summary>Structural findings made while reading the sections.</summary>
    public IReadOnlyList<Diagnostic> Findings { get; }

    /// <summary>Parameters by name.</summary>
    public IReadOnlyDictionary<string, CfnParameter> Parameters { get; private init; } = new Dictionary<string, CfnParameter>();

    /// <summary>Mappings by name (each a mapping of top-level keys to mappings of second-level keys).</summary>
    public IReadOnlyDictionary<string, MappingNode> Mappings { get; private init; } = new Dictionary<string, MappingNode>();

    /// <summary>Conditions by name (the condition expression).</summary>
    public IReadOnlyDictionary<string, DocumentNode> Conditions { get; private init; } = new Dictionary<string, DocumentNode>();

    /// <summary>Resources by logical id, in document order.</summary>
    public IReadOnlyDictionary<string, CfnResource> Resources { get; private init; } = new Dictionary<string, CfnResource>();

    /// <summary>Outputs by name.</summary>
    public IReadOnlyDictionary<string, CfnOutput> Outputs { get; private init; } = new Dictionary<string, CfnOutput>();

    /// <summary>The transforms the template declares (e.g. <c>AWS::Serverless-2016-10-31</c>).</summary>
    public IReadOnlyList<string> Transforms { get; private init; } = [];

    /// <summary>The Description, or null.</summary>
    public string? Description => Root["Description"] is ScalarNode s ? s.Value : null;

    /// <summary>Whether a transform other than AWS::LanguageExtensions rewrites the template before CloudFormation reads it.</summary>
    public bool HasMacroTransform => Transforms.Any(t => t != "AWS::LanguageExtensions");

    /// <summary>Whether the AWS::LanguageExtensions transform is declared.</summary>
    public bool HasLanguageExtensions => Transforms.Contains("AWS::LanguageExtensions");

    /// <summary>
    /// Reads a template from a parsed document. Returns null when the document has no tree (its
    /// syntax findings say why); otherwise always a template, with structural findings recorded.
    /// </summary>
    public static CfnTemplate? From(ParsedDocument document)
    {
        if (document.Root is null)
        {
            return null;
        }

        var findings = new List<Diagnostic>();
        if (document.Root is not MappingNode root)
        {
            findings.Add(Diagnostic.Error(document.Root.Location, "CFN-STRUCTURE", "A template must be a mapping of sections (Resources, Parameters, ...)", "start the template with AWSTemplateFormatVersion and Resources keys"));
            return new CfnTemplate(document, new MappingNode(document.Root.Location, []), findings);
        }

        foreach (var entry in root.Entries.Where(e => !TopLevelKeys.Contains(e.Key)))
        {
            var closest = DocumentParser.Closest(entry.Key, TopLevelKeys);
            findings.Add(Diagnostic.Error(entry.KeyLocation, "CFN-TOP-KEY", $"Unknown top-level key '{entry.Key}'", closest is null ? "the sections are " + string.Join(", ", TopLevelKeys) : $"did you mean '{closest}'?"));
        }

        if (root.Entry("AWSTemplateFormatVersion") is { } version && (version.Value is not ScalarNode { Value: "2010-09-09" }))
        {
            findings.Add(Diagnostic.Error(version.Value.Location, "CFN-VERSION", "AWSTemplateFormatVersion must be \"2010-09-09\" (the only version)", "write AWSTemplateFormatVersion: \"2010-09-09\""));
        }

        var template = new CfnTemplate(document, root, findings)
        {
            Parameters = ReadSection(root, "Parameters", findings, (name, loc, def) => new CfnParameter(name, loc, def)),
            Mappings = ReadSection(root, "Mappings", findings, (_, _, def) => def),
            Conditions = ReadConditions(root, findings),
            Resources = ReadSection(root, "Resources", findings, (name, loc, def) => new CfnResource(name, loc, def)),
            Outputs = ReadSection(root, "Outputs", findings, (name, loc, def) => new CfnOutput(name, loc, def)),
            Transforms = ReadTransforms(root),
        };

        if (root.Entry("Resources") is not { } resources)
        {
            findings.Add(Diagnostic.Error(root.Location, "CFN-NO-RESOURCES", "The template has no Resources section", "declare at least one resource under Resources"));
        }
        else if (template.Resources.Count == 0 && resources.Value is MappingNode)
        {
            findings.Add(Diagnostic.Error(resources.KeyLocation, "CFN-NO-RESOURCES", "The Resources section is empty", "declare at least one resource"));
        }

        return template;
    }

    private static Dictionary<string, T> ReadSection<T>(MappingNode root, string section, List<Diagnostic> findings, Func<string, SourceLocation, MappingNode, T> create)
    {
        var result = new Dictionary<string, T>(StringComparer.Ordinal);
        if (root.Entry(section) is not { } entry)
        {
            return result;
        }

        if (entry.Value is not MappingNode map)
        {
            if (entry.Value is not ScalarNode { Kind: ScalarKind.Null })
            {
                findings.Add(Diagnostic.Error(entry.Value.Location, "CFN-STRUCTURE", $"{section} must be a mapping of names to definitions", $"indent the entries under {section}:"));
            }

            return result;
        }

        foreach (var item in map.Entries)
        {
            if (!LogicalName().IsMatch(item.Key))
            {
                findings.Add(Diagnostic.Error(item.KeyLocation, "CFN-NAME", $"'{item.Key}' is not a valid name in {section} (letters and digits only)", "rename it using A-Z, a-z and 0-9"));
            }

            if (item.Value is not MappingNode definition)
            {
                findings.Add(Diagnostic.Error(item.Value.Location, "CFN-STRUCTURE", $"{section}.{item.Key} must be a mapping", $"give {item.Key} its keys (e.g. Type:) indented under it"));
                continue;
            }

            result[item.Key] = create(item.Key, item.KeyLocation, definition);
        }

        return result;
    }

    private static Dictionary<string, DocumentNode> ReadConditions(MappingNode root, List<Diagnostic> findings)
    {
        var result = new Dictionary<string, DocumentNode>(StringComparer.Ordinal);
        if (root["Conditions"] is not MappingNode map)
        {
            if (root.Entry("Conditions") is { Value: not MappingNode and not ScalarNode { Kind: ScalarKind.Null } } bad)
            {
                findings.Add(Diagnostic.Error(bad.Value.Location, "CFN-STRUCTURE", "Conditions must be a mapping of names to condition functions", "indent the conditions under Conditions:"));
            }

            return result;
        }

        foreach (var item in map.Entries)
        {
            if (!LogicalName().IsMatch(item.Key))
            {
                findings.Add(Diagnostic.Error(item.KeyLocation, "CFN-NAME", $"'{item.Key}' is not a valid condition name (letters and digits only)", "rename it using A-Z, a-z and 0-9"));
            }

            result[item.Key] = item.Value;
        }

        return result;
    }

    private static string[] ReadTransforms(MappingNode root) => root["Transform"] switch
    {
        ScalarNode s => [s.Value],
        SequenceNode list => list.Items.OfType<ScalarNode>().Select(i => i.Value).ToArray(),
        _ => [],
    };

    [GeneratedRegex("^[A-Za-z0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex LogicalName();
}
