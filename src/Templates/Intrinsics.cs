using GluePipeline.Diagnostics;
using GluePipeline.Documents;

namespace GluePipeline.Templates;

/// <summary>Recognising intrinsic function calls and the variables of <c>Fn::Sub</c> strings.</summary>
public static class Intrinsics
{
    /// <summary>Every intrinsic function name CloudFormation knows (long form).</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "Ref", "Condition", "Fn::Base64", "Fn::Cidr", "Fn::FindInMap", "Fn::GetAtt", "Fn::GetAZs", "Fn::ImportValue",
        "Fn::Join", "Fn::Select", "Fn::Split", "Fn::Sub", "Fn::Transform", "Fn::If", "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or",
        "Fn::ToJsonString", "Fn::Length",
    ];

    /// <summary>The functions only the AWS::LanguageExtensions transform provides.</summary>
    public static IReadOnlyList<string> LanguageExtensions { get; } = ["Fn::ToJsonString", "Fn::Length"];

    /// <summary>The functions a condition may be built from.</summary>
    public static IReadOnlyList<string> ConditionFunctions { get; } = ["Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition"];

    /// <summary>
    /// Whether a node is an intrinsic function call: a mapping with exactly one key that is
    /// <c>Ref</c>, <c>Condition</c> or starts with <c>Fn::</c>.
    /// </summary>
    public static bool TryGet(DocumentNode node, out string name, out DocumentNode argument)
    {
        if (node is MappingNode { Entries.Count: 1 } map)
        {
            var key = map.Entries[0].Key;
            if (key == "Ref" || key == "Condition" || key.StartsWith("Fn::", StringComparison.Ordinal))
            {
                name = key;
                argument = map.Entries[0].Value;
                return true;
            }
        }

        name = string.Empty;
        argument = node;
        return false;
    }

    /// <summary>A variable of an <c>Fn::Sub</c> string: <c>${Name}</c> or <c>${Resource.Attribute}</c>.</summary>
    /// <param name="Name">The text between the braces, trimmed.</param>
    /// <param name="Offset">The offset of <c>${</c> in the string.</param>
    public readonly record struct SubVariable(string Name, int Offset)
    {
        /// <summary>The resource part of <c>Resource.Attribute</c>, or the whole name.</summary>
        public string Target => Name.Contains('.', StringComparison.Ordinal) && !Name.StartsWith("AWS::", StringComparison.Ordinal) ? Name[..Name.IndexOf('.', StringComparison.Ordinal)] : Name;

        /// <summary>The attribute part of <c>Resource.Attribute</c>, or null.</summary>
        public string? Attribute => Target.Length < Name.Length ? Name[(Target.Length + 1)..] : null;
    }

    /// <summary>The variables of an <c>Fn::Sub</c> string; <c>${!Literal}</c> is not a variable.</summary>
    public static IEnumerable<SubVariable> SubVariables(string template)
    {
        var i = 0;
        while (i < template.Length)
        {
            var start = template.IndexOf("${", i, StringComparison.Ordinal);
            if (start < 0)
            {
                yield break;
            }

            var end = template.IndexOf('}', start + 2);
            if (end < 0)
            {
                yield break;
            }

            if (start + 2 < template.Length && template[start + 2] != '!')
            {
                yield return new SubVariable(template[(start + 2)..end].Trim(), start);
            }

            i = end + 1;
        }
    }

    /// <summary>Replaces every <c>${...}</c> of an <c>Fn::Sub</c> string; <c>${!Literal}</c> becomes <c>${Literal}</c>.</summary>
    public static string Substitute(string template, Func<string, string> value)
    {
        var result = new System.Text.StringBuilder();
        var i = 0;
        while (i < template.Length)
        {
            var start = template.IndexOf("${", i, StringComparison.Ordinal);
            var end = start < 0 ? -1 : template.IndexOf('}', start + 2);
            if (start < 0 || end < 0)
            {
                result.Append(template, i, template.Length - i);
                break;
            }

            result.Append(template, i, start - i);
            if (start + 2 < template.Length && template[start + 2] == '!')
            {
                result.Append("${").Append(template, start + 3, end - start - 3).Append('}');
            }
            else
            {
                result.Append(value(template[(start + 2)..end].Trim()));
            }

            i = end + 1;
        }

        return result.ToString();
    }

    /// <summary>Every intrinsic call in a tree, outermost first, with the node it was found in.</summary>
    public static IEnumerable<(string Name, DocumentNode Argument, DocumentNode Call)> Calls(DocumentNode root)
    {
        var stack = new Stack<DocumentNode>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (TryGet(node, out var name, out var argument))
            {
                yield return (name, argument, node);
            }

            switch (node)
            {
                case MappingNode map:
                    for (var i = map.Entries.Count - 1; i >= 0; i--)
                    {
                        stack.Push(map.Entries[i].Value);
                    }

                    break;
                case SequenceNode list:
                    for (var i = list.Items.Count - 1; i >= 0; i--)
                    {
                        stack.Push(list.Items[i]);
                    }

                    break;
            }
        }
    }

    /// <summary>The logical ids of resources a tree refers to (Ref, GetAtt, Sub), with where.</summary>
    public static IEnumerable<(string Target, SourceLocation Location)> ResourceReferences(DocumentNode root, IReadOnlyDictionary<string, CfnResource> resources)
    {
        foreach (var (name, argument, call) in Calls(root))
        {
            switch (name)
            {
                case "Ref" when argument is ScalarNode s && resources.ContainsKey(s.Value):
                    yield return (s.Value, call.Location);
                    break;
                case "Fn::GetAtt" when GetAttTarget(argument) is { } target && resources.ContainsKey(target):
                    yield return (target, call.Location);
                    break;
                case "Fn::Sub":
                    var (text, locals) = SubParts(argument);
                    if (text is null)
                    {
                        break;
                    }

                    foreach (var variable in SubVariables(text.Value))
                    {
                        if (!locals.Contains(variable.Name) && resources.ContainsKey(variable.Target))
                        {
                            yield return (variable.Target, text.Location);
                        }
                    }

                    break;
            }
        }
    }

    /// <summary>The resource name of a GetAtt argument (<c>[Resource, Attribute]</c> or <c>"Resource.Attribute"</c>).</summary>
    public static string? GetAttTarget(DocumentNode argument) => argument switch
    {
        SequenceNode { Items.Count: >= 1 } list when list.Items[0] is ScalarNode s => s.Value,
        ScalarNode s when s.Value.Contains('.', StringComparison.Ordinal) => s.Value[..s.Value.IndexOf('.', StringComparison.Ordinal)],
        _ => null,
    };

    /// <summary>The string and the local variable names of a Sub argument (either form).</summary>
    public static (ScalarNode? Text, IReadOnlySet<string> Locals) SubParts(DocumentNode argument) => argument switch
    {
        ScalarNode s => (s, new HashSet<string>(StringComparer.Ordinal)),
        SequenceNode { Items.Count: 2 } list when list.Items[0] is ScalarNode s => (s, (list.Items[1] as MappingNode)?.Entries.Select(e => e.Key).ToHashSet(StringComparer.Ordinal) ?? []),
        _ => (null, new HashSet<string>(StringComparer.Ordinal)),
    };
}
