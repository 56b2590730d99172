using System.Globalization;
using System.Net;
using GluePipeline.Documents;

namespace GluePipeline.Templates.Rules;

/// <summary>
/// Answers the questions the resource, security and network rules ask of a template: which
/// resource a value refers to, what a value is when it can be known without deploying, which
/// resources of a type exist. Never throws on odd templates: unknown means null.
/// </summary>
public sealed class TemplateGraph
{
    private readonly TemplateEvaluator _evaluator;

    /// <summary>Wraps a template, evaluating with parameter Defaults (and run-parameter stand-ins) where it can.</summary>
    public TemplateGraph(CfnTemplate template)
    {
        Template = template;
        var given = RunParameters.LintValues
            .Where(p => template.Parameters.ContainsKey(p.Key) && !template.Parameters[p.Key].HasDefault)
            .ToDictionary(p => p.Key, p => (p.Value, (Diagnostics.SourceLocation?)null), StringComparer.Ordinal);
        // Parameters without a value are simply absent: whatever refers to them is "not known".
        var (values, _) = ParameterValues.Resolve(template, given, new Diagnostics.SourceLocation(template.Path, 1, 1), secretsAtDeploy: true);
        _evaluator = new TemplateEvaluator(template, values, new PseudoParameters("lint"));
    }

    /// <summary>The template.</summary>
    public CfnTemplate Template { get; }

    /// <summary>The resources of a type, in document order.</summary>
    public IEnumerable<CfnResource> OfType(string type) => Template.Resources.Values.Where(r => r.Type == type);

    /// <summary>The resource a value refers to (<c>Ref X</c>, <c>Fn::GetAtt [X, ...]</c>, <c>!Sub ${X}</c>), or null.</summary>
    public CfnResource? Referenced(DocumentNode? node)
    {
        if (node is null || !Intrinsics.TryGet(node, out var name, out var argument))
        {
            return null;
        }

        var target = name switch
        {
            "Ref" => (argument as ScalarNode)?.Value,
            "Fn::GetAtt" => Intrinsics.GetAttTarget(argument),
            "Fn::Sub" when Intrinsics.SubParts(argument).Text is { } text && Intrinsics.SubVariables(text.Value).ToList() is [var only] && text.Value.Trim() == "${" + only.Name + "}" => only.Target,
            _ => null,
        };
        return target is not null && Template.Resources.TryGetValue(target, out var resource) ? resource : null;
    }

    /// <summary>The resources a value refers to, item by item when it is a list.</summary>
    public IEnumerable<CfnResource> ReferencedAll(DocumentNode? node) => node switch
    {
        SequenceNode list => list.Items.Select(Referenced).OfType<CfnResource>(),
        null => [],
        _ => Referenced(node) is { } one ? [one] : [],
    };

    /// <summary>The value of a node when it can be known without deploying (literals, parameters with defaults, pseudo parameters), else null.</summary>
    public CfnValue? TryEvaluate(DocumentNode? node)
    {
        if (node is null)
        {
            return null;
        }

        try
        {
            var value = _evaluator.Evaluate(node);
            return ContainsPlaceholder(value) ? null : value;
        }
        catch (TemplateEvaluationException)
        {
            return null;
        }
    }

    /// <summary>The string value of a node when known, else null.</summary>
    public string? TryString(DocumentNode? node) => TryEvaluate(node) is CfnScalar s ? s.AsString() : null;

    /// <summary>The integer value of a node when known, else null.</summary>
    public long? TryInteger(DocumentNode? node) =>
        TryString(node) is { } text && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>A property of a resource (dotted path into mappings), or null.</summary>
    public static DocumentNode? Property(CfnResource resource, string path)
    {
        DocumentNode? node = resource.Properties;
        foreach (var part in path.Split('.'))
        {
            node = (node as MappingNode)?[part];
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>Parses an IPv4 CIDR block into its first address and prefix length.</summary>
    public static (uint Address, int Prefix)? ParseCidr(string? cidr)
    {
        if (cidr is null)
        {
            return null;
        }

        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(cidr[..slash], out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork ||
            !int.TryParse(cidr[(slash + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var prefix) || prefix is < 0 or > 32)
        {
            return null;
        }

        var b = ip.GetAddressBytes();
        var address = ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return (address & mask, prefix);
    }

    /// <summary>Whether two IPv4 CIDR blocks overlap.</summary>
    public static bool Overlap((uint Address, int Prefix) a, (uint Address, int Prefix) b)
    {
        var prefix = Math.Min(a.Prefix, b.Prefix);
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return (a.Address & mask) == (b.Address & mask);
    }

    /// <summary>Whether block <paramref name="outer"/> contains block <paramref name="inner"/>.</summary>
    public static bool Contains((uint Address, int Prefix) outer, (uint Address, int Prefix) inner) =>
        outer.Prefix <= inner.Prefix && Overlap(outer, inner);

    private static bool ContainsPlaceholder(CfnValue value) => value switch
    {
        CfnScalar s => s.Value.Contains('<', StringComparison.Ordinal) && s.Value.Contains('>', StringComparison.Ordinal),
        CfnList l => l.Items.Any(ContainsPlaceholder),
        CfnMap m => m.Entries.Any(e => ContainsPlaceholder(e.Value)),
        _ => false,
    };
}
