using System.Globalization;
using System.Net;
using System.Text;
using GluePipeline.Diagnostics;
using GluePipeline.Documents;

namespace GluePipeline.Templates;

/// <summary>The values of the pseudo parameters for one evaluation.</summary>
/// <param name="StackName">AWS::StackName.</param>
/// <param name="Region">AWS::Region.</param>
/// <param name="AccountId">AWS::AccountId.</param>
/// <param name="Partition">AWS::Partition.</param>
/// <param name="UrlSuffix">AWS::URLSuffix.</param>
public sealed record PseudoParameters(
    string StackName,
    string Region = "us-east-1",
    string AccountId = "123456789012",
    string Partition = "aws",
    string UrlSuffix = "amazonaws.com")
{
    /// <summary>AWS::StackId, shaped as CloudFormation shapes it.</summary>
    public string StackId => $"arn:{Partition}:cloudformation:{Region}:{AccountId}:stack/{StackName}/00000000-0000-0000-0000-000000000000";
}

/// <summary>
/// Supplies what only a deployment knows: the physical id of a resource (Ref), its attributes
/// (Fn::GetAtt) and other stacks' exports (Fn::ImportValue). Returning null means "not known".
/// </summary>
public interface IResourceResolver
{
    /// <summary>The value of <c>Ref</c> to a resource, or null.</summary>
    CfnValue? Ref(CfnResource resource);

    /// <summary>The value of <c>Fn::GetAtt</c> of a resource, or null.</summary>
    CfnValue? GetAtt(CfnResource resource, string attribute);

    /// <summary>The value of <c>Fn::ImportValue</c>, or null.</summary>
    CfnValue? ImportValue(string exportName);
}

/// <summary>Resolves resources to readable placeholders (<c>&lt;RawBucket&gt;</c>, <c>&lt;RawBucket.Arn&gt;</c>); used by Lint and plans.</summary>
public sealed class PlaceholderResolver : IResourceResolver
{
    /// <summary>The shared instance.</summary>
    public static PlaceholderResolver Instance { get; } = new();

    /// <inheritdoc/>
    public CfnValue? Ref(CfnResource resource) => CfnValue.String($"<{resource.LogicalId}>");

    /// <inheritdoc/>
    public CfnValue? GetAtt(CfnResource resource, string attribute) => CfnValue.String($"<{resource.LogicalId}.{attribute}>");

    /// <inheritdoc/>
    public CfnValue? ImportValue(string exportName) => CfnValue.String($"<import:{exportName}>");
}

/// <summary>A template expression that cannot be resolved, with where and why.</summary>
public sealed class TemplateEvaluationException : Exception
{
    /// <summary>Creates the exception for a finding.</summary>
    public TemplateEvaluationException(Diagnostic diagnostic)
        : base(diagnostic.ToString())
    {
        Diagnostic = diagnostic;
    }

    /// <summary>Creates the exception with a message.</summary>
    public TemplateEvaluationException()
        : this(Diagnostic.Error(null, "CFN-EVAL", "The template cannot be evaluated"))
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TemplateEvaluationException(string message)
        : this(Diagnostic.Error(null, "CFN-EVAL", message))
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public TemplateEvaluationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Diagnostic = Diagnostic.Error(null, "CFN-EVAL", message);
    }

    /// <summary>The finding.</summary>
    public Diagnostic Diagnostic { get; }
}

/// <summary>
/// Resolves a template's intrinsic functions for one parameter set: conditions, Ref, Fn::GetAtt,
/// Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::If, Fn::FindInMap, Fn::GetAZs, Fn::ImportValue,
/// Fn::Base64, Fn::Cidr, Fn::Length and Fn::ToJsonString. What cannot be resolved is a
/// <see cref="TemplateEvaluationException"/> naming the file, line and column and why.
/// </summary>
public sealed class TemplateEvaluator
{
    private readonly CfnTemplate _template;
    private readonly IReadOnlyDictionary<string, CfnValue> _parameters;
    private readonly PseudoParameters _pseudo;
    private readonly IResourceResolver _resolver;
    private readonly Dictionary<string, bool> _conditions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deciding = new(StringComparer.Ordinal);

    /// <summary>Creates an evaluator.</summary>
    /// <param name="template">The template.</param>
    /// <param name="parameters">Resolved parameter values (<see cref="ParameterValues.Resolve"/>).</param>
    /// <param name="pseudo">The pseudo parameters.</param>
    /// <param name="resolver">Resolves resources; <see cref="PlaceholderResolver"/> when null.</param>
    public TemplateEvaluator(CfnTemplate template, IReadOnlyDictionary<string, CfnValue> parameters, PseudoParameters pseudo, IResourceResolver? resolver = null)
    {
        _template = template;
        _parameters = parameters;
        _pseudo = pseudo;
        _resolver = resolver ?? PlaceholderResolver.Instance;
    }

    /// <summary>Whether a named condition is true.</summary>
    public bool IsConditionTrue(string name, SourceLocation? usedAt = null)
    {
        if (_conditions.TryGetValue(name, out var known))
        {
            return known;
        }

        if (!_template.Conditions.TryGetValue(name, out var expression))
        {
            throw Fail(usedAt ?? new SourceLocation(_template.Path), "CFN-CONDITION", $"Condition '{name}' is not declared", "declare it under Conditions");
        }

        if (!_deciding.Add(name))
        {
            throw Fail(expression.Location, "CFN-CYCLE", $"Condition '{name}' depends on itself", "break the cycle between the conditions");
        }

        var value = EvaluateCondition(expression);
        _deciding.Remove(name);
        _conditions[name] = value;
        return value;
    }

    /// <summary>Whether a resource exists under this parameter set (its Condition, if any, is true).</summary>
    public bool IsIncluded(CfnResource resource) =>
        resource.Condition is not { } condition || IsConditionTrue(condition, resource.Definition["Condition"]?.Location);

    /// <summary>The resolved Properties of a resource (an empty map when it has none).</summary>
    public CfnMap EvaluateProperties(CfnResource resource) =>
        resource.Properties is { } properties && Evaluate(properties) is CfnMap map ? map : new CfnMap([]);

    /// <summary>The outputs that exist under this parameter set, resolved.</summary>
    public IReadOnlyDictionary<string, CfnValue> EvaluateOutputs()
    {
        var result = new Dictionary<string, CfnValue>(StringComparer.Ordinal);
        foreach (var output in _template.Outputs.Values)
        {
            if (output.Condition is { } condition && !IsConditionTrue(condition, output.Definition["Condition"]?.Location))
            {
                continue;
            }

            if (output.Value is { } value)
            {
                result[output.Name] = Evaluate(value);
            }
        }

        return result;
    }

    /// <summary>Resolves a node.</summary>
    public CfnValue Evaluate(DocumentNode node)
    {
        if (Intrinsics.TryGet(node, out var name, out var argument))
        {
            return Call(name, argument, node.Location);
        }

        switch (node)
        {
            case ScalarNode scalar:
                return new CfnScalar(scalar.Value, scalar.Kind);
            case SequenceNode list:
                return new CfnList(list.Items.Select(Evaluate).Where(v => v is not CfnNoValue).ToArray());
            case MappingNode map:
                var entries = new List<KeyValuePair<string, CfnValue>>();
                foreach (var entry in map.Entries)
                {
                    var value = Evaluate(entry.Value);
                    if (value is not CfnNoValue)
                    {
                        entries.Add(new(entry.Key, value));
                    }
                }

                return new CfnMap(entries);
            default:
                throw Fail(node.Location, "CFN-EVAL", "Unknown node", null);
        }
    }

    private bool EvaluateCondition(DocumentNode node)
    {
        if (!Intrinsics.TryGet(node, out var name, out var argument))
        {
            throw Fail(node.Location, "CFN-EVAL", "A condition must be a condition function", "use Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition");
        }

        switch (name)
        {
            case "Fn::Equals" when argument is SequenceNode { Items.Count: 2 } pair:
                return Same(Evaluate(pair.Items[0]), Evaluate(pair.Items[1]));
            case "Fn::Not" when argument is SequenceNode { Items.Count: 1 } one:
                return !EvaluateCondition(one.Items[0]);
            case "Fn::And" when argument is SequenceNode all:
                return all.Items.All(EvaluateCondition);
            case "Fn::Or" when argument is SequenceNode any:
                return any.Items.Any(EvaluateCondition);
            case "Condition" when argument is ScalarNode reference:
                return IsConditionTrue(reference.Value, reference.Location);
            default:
                throw Fail(node.Location, "CFN-EVAL", $"{name} cannot be evaluated as a condition here", "use Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition with the right arguments");
        }
    }

    private static bool Same(CfnValue a, CfnValue b) => (a, b) switch
    {
        (CfnScalar x, CfnScalar y) => x.AsString() == y.AsString(),
        _ => a.Equals(b),
    };

    private CfnValue Call(string name, DocumentNode argument, SourceLocation location)
    {
        switch (name)
        {
            case "Ref":
                return Ref(argument, location);
            case "Fn::GetAtt":
                return GetAtt(argument, location);
            case "Fn::Sub":
                return Sub(argument, location);
            case "Fn::Join":
            {
                var (delimiter, values) = Pair(argument, location, name);
                var list = AsList(Evaluate(values), values.Location, "the values of Fn::Join");
                var separator = AsString(Evaluate(delimiter), delimiter.Location, "the delimiter of Fn::Join");
                return CfnValue.String(string.Join(separator, list.Items.Select(i => AsString(i, values.Location, "a value joined by Fn::Join"))));
            }

            case "Fn::Select":
            {
                var (indexNode, values) = Pair(argument, location, name);
                var index = AsString(Evaluate(indexNode), indexNode.Location, "the index of Fn::Select");
                var list = AsList(Evaluate(values), values.Location, "the list of Fn::Select");
                if (!int.TryParse(index, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) || i < 0 || i >= list.Items.Count)
                {
                    throw Fail(indexNode.Location, "CFN-EVAL", $"Fn::Select index {index} is out of range for a list of {list.Items.Count}", "use an index from 0 to the list's length - 1");
                }

                return list.Items[i];
            }

            case "Fn::Split":
            {
                var (delimiter, source) = Pair(argument, location, name);
                var separator = AsString(Evaluate(delimiter), delimiter.Location, "the delimiter of Fn::Split");
                var text = AsString(Evaluate(source), source.Location, "the string of Fn::Split");
                return new CfnList(text.Split(separator).Select(p => (CfnValue)CfnValue.String(p)).ToArray());
            }

            case "Fn::If":
            {
                if (argument is not SequenceNode { Items.Count: 3 } parts || parts.Items[0] is not ScalarNode condition)
                {
                    throw Arity(location, "Fn::If takes [ConditionName, value if true, value if false]");
                }

                return IsConditionTrue(condition.Value, condition.Location) ? Evaluate(parts.Items[1]) : Evaluate(parts.Items[2]);
            }

            case "Fn::Equals" or "Fn::And" or "Fn::Or" or "Fn::Not" or "Condition":
                return new CfnScalar(EvaluateCondition(new MappingNode(location, [new MappingEntry(name, location, argument)])) ? "true" : "false", ScalarKind.Boolean);
            case "Fn::FindInMap":
                return FindInMap(argument, location);
            case "Fn::GetAZs":
            {
                var region = AsString(Evaluate(argument), argument.Location, "the region of Fn::GetAZs");
                region = region.Length == 0 ? _pseudo.Region : region;
                return new CfnList(new[] { "a", "b", "c" }.Select(z => (CfnValue)CfnValue.String(region + z)).ToArray());
            }

            case "Fn::ImportValue":
            {
                var export = AsString(Evaluate(argument), argument.Location, "the export name of Fn::ImportValue");
                return _resolver.ImportValue(export)
                    ?? throw Fail(location, "CFN-EVAL", $"Fn::ImportValue '{export}' cannot be resolved: no stack here exports it", "deploy the exporting stack first, or pass the value as a parameter");
            }

            case "Fn::Base64":
                return CfnValue.String(Convert.ToBase64String(Encoding.UTF8.GetBytes(AsString(Evaluate(argument), argument.Location, "the value of Fn::Base64"))));
            case "Fn::Cidr":
                return Cidr(argument, location);
            case "Fn::Length":
                return new CfnScalar(AsList(Evaluate(argument), argument.Location, "the argument of Fn::Length").Items.Count.ToString(CultureInfo.InvariantCulture), ScalarKind.Number);
            case "Fn::ToJsonString":
                return CfnValue.String(Evaluate(argument).ToJson()?.ToJsonString() ?? "null");
            default:
                throw Fail(location, "CFN-EVAL", $"{name} cannot be evaluated here", name == "Fn::Transform" ? "macros run in CloudFormation; this template needs the aws lane" : "see the intrinsic function reference");
        }
    }

    private CfnValue Ref(DocumentNode argument, SourceLocation location)
    {
        if (argument is not ScalarNode { Value: var name })
        {
            throw Arity(location, "Ref takes one name");
        }

        switch (name)
        {
            case "AWS::NoValue":
                return CfnValue.NoValue;
            case "AWS::Region":
                return CfnValue.String(_pseudo.Region);
            case "AWS::AccountId":
                return CfnValue.String(_pseudo.AccountId);
            case "AWS::Partition":
                return CfnValue.String(_pseudo.Partition);
            case "AWS::StackName":
                return CfnValue.String(_pseudo.StackName);
            case "AWS::StackId":
                return CfnValue.String(_pseudo.StackId);
            case "AWS::URLSuffix":
                return CfnValue.String(_pseudo.UrlSuffix);
            case "AWS::NotificationARNs":
                return new CfnList([]);
        }

        if (_parameters.TryGetValue(name, out var value))
        {
            return value;
        }

        if (_template.Parameters.ContainsKey(name))
        {
            throw Fail(argument.Location, "CFN-EVAL", $"Parameter {name} has no value", "give it a value in the environment file, or a Default in the template");
        }

        if (_template.Resources.TryGetValue(name, out var resource))
        {
            CheckIncluded(resource, argument.Location);
            return _resolver.Ref(resource) ?? throw Fail(argument.Location, "CFN-EVAL", $"Ref {name} cannot be resolved before {name} is deployed", null);
        }

        throw Fail(argument.Location, "CFN-REF", $"Ref to '{name}', which is neither a parameter nor a resource", "declare it, or fix the name");
    }

    private CfnValue GetAtt(DocumentNode argument, SourceLocation location)
    {
        string resourceName;
        string attribute;
        switch (argument)
        {
            case SequenceNode { Items.Count: 2 } list when list.Items[0] is ScalarNode r:
                resourceName = r.Value;
                attribute = AsString(Evaluate(list.Items[1]), list.Items[1].Location, "the attribute of Fn::GetAtt");
                break;
            case ScalarNode s when s.Value.Contains('.', StringComparison.Ordinal):
                resourceName = s.Value[..s.Value.IndexOf('.', StringComparison.Ordinal)];
                attribute = s.Value[(resourceName.Length + 1)..];
                break;
            default:
                throw Arity(location, "Fn::GetAtt takes [Resource, Attribute]");
        }

        return ResolveAttribute(resourceName, attribute, argument.Location);
    }

    private CfnValue ResolveAttribute(string resourceName, string attribute, SourceLocation location)
    {
        if (!_template.Resources.TryGetValue(resourceName, out var resource))
        {
            throw Fail(location, "CFN-GETATT", $"Fn::GetAtt of '{resourceName}', which is not a resource of this template", "fix the resource name");
        }

        CheckIncluded(resource, location);
        return _resolver.GetAtt(resource, attribute)
            ?? throw Fail(location, "CFN-EVAL", $"{resourceName}.{attribute} cannot be resolved here", resource.IsCustom ? "custom resources run their function in the aws lane" : null);
    }

    private void CheckIncluded(CfnResource resource, SourceLocation location)
    {
        if (!IsIncluded(resource))
        {
            throw Fail(location, "CFN-EVAL", $"{resource.LogicalId} does not exist in this environment (its condition {resource.Condition} is false), so it cannot be referred to", "wrap the reference in Fn::If with the same condition");
        }
    }

    private CfnValue Sub(DocumentNode argument, SourceLocation location)
    {
        var (text, _) = Intrinsics.SubParts(argument);
        if (text is null)
        {
            throw Arity(location, "Fn::Sub takes a string, or [string, { Variable: value }]");
        }

        var locals = new Dictionary<string, CfnValue>(StringComparer.Ordinal);
        if (argument is SequenceNode { Items.Count: 2 } list && list.Items[1] is MappingNode variables)
        {
            foreach (var entry in variables.Entries)
            {
                locals[entry.Key] = Evaluate(entry.Value);
            }
        }

        return CfnValue.String(Intrinsics.Substitute(text.Value, variable =>
        {
            if (locals.TryGetValue(variable, out var local))
            {
                return AsString(local, text.Location, $"${{{variable}}}");
            }

            var dot = variable.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && !variable.StartsWith("AWS::", StringComparison.Ordinal) && !_parameters.ContainsKey(variable))
            {
                return AsString(ResolveAttribute(variable[..dot], variable[(dot + 1)..], text.Location), text.Location, $"${{{variable}}}");
            }

            var value = Ref(new ScalarNode(text.Location, variable, ScalarKind.String), text.Location);
            return AsString(value, text.Location, $"${{{variable}}}");
        }));
    }

    private CfnValue FindInMap(DocumentNode argument, SourceLocation location)
    {
        if (argument is not SequenceNode { Items.Count: 3 or 4 } list)
        {
            throw Arity(location, "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]");
        }

        var mapName = AsString(Evaluate(list.Items[0]), list.Items[0].Location, "the map name of Fn::FindInMap");
        var top = AsString(Evaluate(list.Items[1]), list.Items[1].Location, "the top-level key of Fn::FindInMap");
        var second = AsString(Evaluate(list.Items[2]), list.Items[2].Location, "the second-level key of Fn::FindInMap");
        CfnValue? fallback = list.Items.Count == 4 && list.Items[3] is MappingNode d && d["DefaultValue"] is { } dv ? Evaluate(dv) : null;
        if (!_template.Mappings.TryGetValue(mapName, out var map))
        {
            throw Fail(list.Items[0].Location, "CFN-FINDINMAP", $"Map '{mapName}' is not declared in Mappings", "declare it under Mappings");
        }

        if (map[top] is MappingNode level && level[second] is { } found)
        {
            return Evaluate(found);
        }

        return fallback ?? throw Fail(
            location,
            "CFN-FINDINMAP",
            map[top] is null ? $"Map {mapName} has no top-level key '{top}'" : $"Map {mapName}.{top} has no key '{second}'",
            map[top] is null ? $"add '{top}' to {mapName}, or use a value that is there ({string.Join(", ", map.Entries.Select(e => e.Key))})" : $"add '{second}' under {mapName}.{top}");
    }

    private CfnValue Cidr(DocumentNode argument, SourceLocation location)
    {
        if (argument is not SequenceNode { Items.Count: 3 } list)
        {
            throw Arity(location, "Fn::Cidr takes [ipBlock, count, cidrBits]");
        }

        var block = AsString(Evaluate(list.Items[0]), list.Items[0].Location, "the ipBlock of Fn::Cidr");
        var countText = AsString(Evaluate(list.Items[1]), list.Items[1].Location, "the count of Fn::Cidr");
        var bitsText = AsString(Evaluate(list.Items[2]), list.Items[2].Location, "the cidrBits of Fn::Cidr");
        var slash = block.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(block[..slash], out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork ||
            !int.TryParse(block[(slash + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var prefix) || prefix is < 0 or > 32 ||
            !int.TryParse(countText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) || count is < 1 or > 256 ||
            !int.TryParse(bitsText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bits) || bits is < 1 or > 32)
        {
            throw Fail(location, "CFN-EVAL", $"Fn::Cidr [{block}, {countText}, {bitsText}] cannot be computed here (IPv4 block, count 1-256, cidrBits 1-32)", "check the arguments; IPv6 blocks are computed by CloudFormation in the aws lane");
        }

        var newPrefix = 32 - bits;
        if (newPrefix < prefix || (newPrefix - prefix < 31 && count > (1L << (newPrefix - prefix))))
        {
            throw Fail(location, "CFN-EVAL", $"{block} cannot hold {count} subnets of /{newPrefix}", "use fewer or smaller subnets");
        }

        var bytes = address.GetAddressBytes();
        var baseAddress = ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
        baseAddress &= prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
        var size = 1UL << bits;
        var result = new List<CfnValue>();
        for (var i = 0UL; i < (ulong)count; i++)
        {
            var start = (uint)(baseAddress + (i * size));
            result.Add(CfnValue.String($"{start >> 24}.{(start >> 16) & 255}.{(start >> 8) & 255}.{start & 255}/{newPrefix}"));
        }

        return new CfnList(result);
    }

    private static (DocumentNode First, DocumentNode Second) Pair(DocumentNode argument, SourceLocation location, string name) =>
        argument is SequenceNode { Items.Count: 2 } list ? (list.Items[0], list.Items[1]) : throw Arity(location, $"{name} takes two arguments");

    private static CfnList AsList(CfnValue value, SourceLocation location, string what) =>
        value as CfnList ?? throw Fail(location, "CFN-EVAL", $"{what} must be a list, not {Describe(value)}", null);

    private static string AsString(CfnValue value, SourceLocation location, string what) => value switch
    {
        CfnScalar s => s.AsString(),
        _ => throw Fail(location, "CFN-EVAL", $"{what} must be a string, not {Describe(value)}", value is CfnList ? "select one item with Fn::Select, or join them with Fn::Join" : null),
    };

    private static string Describe(CfnValue value) => value switch
    {
        CfnList => "a list",
        CfnMap => "a mapping",
        CfnNoValue => "AWS::NoValue",
        _ => "a scalar",
    };

    private static TemplateEvaluationException Arity(SourceLocation location, string expected) =>
        Fail(location, "CFN-ARITY", "Wrong arguments", expected);

    private static TemplateEvaluationException Fail(SourceLocation location, string rule, string message, string? fix) =>
        new(Diagnostic.Error(location, rule, message, fix));
}
