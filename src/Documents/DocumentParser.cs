using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GluePipeline.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GluePipeline.Documents;

/// <summary>Which YAML tags a document may use.</summary>
public enum DocumentDialect
{
    /// <summary>Plain YAML or JSON: only the standard <c>!!</c> tags.</summary>
    Plain,

    /// <summary>A CloudFormation template: the short-form intrinsic tags (<c>!Ref</c>, <c>!Sub</c>, ...) too.</summary>
    CloudFormation,
}

/// <summary>A parsed document: its root (null when it could not be parsed) and what was wrong with it.</summary>
/// <param name="Path">The path shown in findings.</param>
/// <param name="Root">The root node, or null when the text is not well-formed.</param>
/// <param name="Diagnostics">Syntax errors (then <paramref name="Root"/> is null) and structural ones (tags, aliases).</param>
public sealed record ParsedDocument(string Path, DocumentNode? Root, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>Whether the text was well-formed enough to give a tree.</summary>
    public bool IsParseable => Root is not null;
}

/// <summary>
/// Parses YAML and JSON into <see cref="DocumentNode"/> trees with 1-based line and column on every
/// node. In the CloudFormation dialect the short-form tags become their long form
/// (<c>!GetAtt a.b</c> becomes <c>{"Fn::GetAtt": ["a", "b"]}</c>).
/// </summary>
public static partial class DocumentParser
{
    /// <summary>Rule id of a YAML syntax error.</summary>
    public const string YamlRule = "YAML-SYNTAX";

    /// <summary>Rule id of a JSON syntax error.</summary>
    public const string JsonRule = "JSON-SYNTAX";

    /// <summary>Rule id of a file that is empty where a document is required.</summary>
    public const string EmptyRule = "EMPTY-FILE";

    /// <summary>Rule id of a file that is not valid UTF-8 text.</summary>
    public const string EncodingRule = "FILE-ENCODING";

    /// <summary>Rule id of an unknown YAML tag.</summary>
    public const string TagRule = "YAML-TAG";

    /// <summary>Rule id of a YAML anchor or alias in a CloudFormation template.</summary>
    public const string AliasRule = "YAML-ALIAS";

    /// <summary>Rule id of a repeated key.</summary>
    public const string DuplicateKeyRule = "DUPLICATE-KEY";

    /// <summary>The CloudFormation intrinsic functions that have a YAML short form, by tag.</summary>
    public static IReadOnlyDictionary<string, string> ShortForms { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["!Ref"] = "Ref",
        ["!Condition"] = "Condition",
        ["!GetAtt"] = "Fn::GetAtt",
        ["!Sub"] = "Fn::Sub",
        ["!Join"] = "Fn::Join",
        ["!Select"] = "Fn::Select",
        ["!Split"] = "Fn::Split",
        ["!If"] = "Fn::If",
        ["!Equals"] = "Fn::Equals",
        ["!Not"] = "Fn::Not",
        ["!And"] = "Fn::And",
        ["!Or"] = "Fn::Or",
        ["!FindInMap"] = "Fn::FindInMap",
        ["!GetAZs"] = "Fn::GetAZs",
        ["!ImportValue"] = "Fn::ImportValue",
        ["!Base64"] = "Fn::Base64",
        ["!Cidr"] = "Fn::Cidr",
        ["!Transform"] = "Fn::Transform",
        ["!ToJsonString"] = "Fn::ToJsonString",
        ["!Length"] = "Fn::Length",
    };

    /// <summary>Whether a path names a file this parser reads (.yaml, .yml, .json).</summary>
    public static bool Applies(string path) =>
        path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) ||
        path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) ||
        path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses a file's bytes; JSON when the path ends in .json, else YAML.</summary>
    public static ParsedDocument Parse(string displayPath, byte[] content, DocumentDialect dialect)
    {
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(content);
        }
        catch (DecoderFallbackException ex)
        {
            var (line, column) = LineAndColumnOfByte(content, Math.Max(0, ex.Index));
            return Failed(displayPath, Diagnostic.Error(new SourceLocation(displayPath, line, column), EncodingRule, "The file is not valid UTF-8 text", "save the file as UTF-8"));
        }

        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return Failed(displayPath, Diagnostic.Error(new SourceLocation(displayPath, 1, 1), EmptyRule, "The file is empty", "write the document, or delete the file"));
        }

        return displayPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? ParseJson(displayPath, text)
            : ParseYaml(displayPath, text, dialect);
    }

    /// <summary>Parses text as YAML (JSON is YAML too, but use <see cref="Parse"/> for JSON's exact errors).</summary>
    public static ParsedDocument ParseText(string displayPath, string text, DocumentDialect dialect) =>
        Parse(displayPath, Encoding.UTF8.GetBytes(text), dialect);

    private static ParsedDocument Failed(string path, Diagnostic diagnostic) => new(path, null, [diagnostic]);

    private static ParsedDocument ParseYaml(string path, string text, DocumentDialect dialect)
    {
        if (FirstNonPrintable(text) is { } bad)
        {
            return Failed(path, Diagnostic.Error(
                new SourceLocation(path, bad.Line, bad.Column),
                YamlRule,
                $"Invalid YAML: the character U+{(int)bad.Character:X4} is not allowed in YAML",
                "remove the control character (only tabs and line breaks are allowed)"));
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            // YamlDotNet throws these on some malformed input instead of a YamlException.
            return Failed(path, Diagnostic.Error(
                new SourceLocation(path, 1, 1),
                YamlRule,
                "Invalid YAML: the file could not be read as YAML",
                "check the file for unbalanced quotes or brackets and stray characters"));
        }
        catch (YamlException ex)
        {
            var mark = ex.Start;
            var message = Clean(ex.InnerException?.Message ?? ex.Message);
            var duplicate = message.Contains("duplicate", StringComparison.OrdinalIgnoreCase) && message.Contains("key", StringComparison.OrdinalIgnoreCase);
            return Failed(path, Diagnostic.Error(
                new SourceLocation(path, (int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column)),
                duplicate ? DuplicateKeyRule : YamlRule,
                duplicate ? $"The key is repeated: {message}" : $"Invalid YAML: {message}",
                duplicate
                    ? "remove or rename the repeated key"
                    : "check the indentation, a missing ':' or space after it, and unclosed quotes or brackets at this position"));
        }

        if (stream.Documents.Count == 0 || stream.Documents.All(d => d.RootNode is YamlScalarNode { Value: null or "" } && d.RootNode.Tag.IsEmpty))
        {
            return Failed(path, Diagnostic.Error(new SourceLocation(path, 1, 1), EmptyRule, "The file holds no YAML document", "write the document, or delete the file"));
        }

        var diagnostics = new List<Diagnostic>();
        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            diagnostics.Add(Diagnostic.Error(Loc(path, second), YamlRule, "The file holds more than one YAML document", "keep one document per file (remove the '---' separator)"));
        }

        var converter = new YamlConverter(path, dialect, diagnostics);
        var root = converter.Convert(stream.Documents[0].RootNode);
        return new ParsedDocument(path, root, diagnostics);
    }

    /// <summary>The first character YAML does not allow (YAML 1.2, 5.1: c-printable), with its position.</summary>
    private static (char Character, int Line, int Column)? FirstNonPrintable(string text)
    {
        var line = 1;
        var column = 1;
        foreach (var c in text)
        {
            var printable = c is '\t' or '\n' or '\r' or (>= ' ' and <= '~') or '\u0085' or (>= '\u00A0' and <= '\uD7FF') or (>= '\uD800' and <= '\uDFFF') or (>= '\uE000' and <= '\uFFFD');
            if (!printable)
            {
                return (c, line, column);
            }

            if (c == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return null;
    }

    private static SourceLocation Loc(string path, Mark mark) => new(path, (int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column));

    /// <summary>Turns YamlDotNet's representation into document nodes, resolving short-form tags.</summary>
    private sealed class YamlConverter(string path, DocumentDialect dialect, List<Diagnostic> diagnostics)
    {
        private readonly HashSet<YamlNode> _converting = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<YamlNode> _anchorsReported = new(ReferenceEqualityComparer.Instance);

        public DocumentNode Convert(YamlNode node)
        {
            var location = Loc(path, node.Start);
            if (dialect == DocumentDialect.CloudFormation && !node.Anchor.IsEmpty && _anchorsReported.Add(node))
            {
                diagnostics.Add(Diagnostic.Error(location, AliasRule, $"CloudFormation does not accept YAML anchors and aliases (&{node.Anchor.Value})", "write the value out where it is used"));
            }

            if (!_converting.Add(node))
            {
                diagnostics.Add(Diagnostic.Error(location, AliasRule, "A YAML alias refers to a node that contains it", "remove the recursive alias"));
                return new ScalarNode(location, string.Empty, ScalarKind.Null);
            }

            var tag = node.Tag.IsEmpty ? null : node.Tag.Value;
            DocumentNode converted = node switch
            {
                YamlScalarNode scalar => ConvertScalar(scalar, location, tag),
                YamlSequenceNode sequence => new SequenceNode(location, sequence.Children.Select(Convert).ToArray()),
                YamlMappingNode mapping => ConvertMapping(mapping, location),
                _ => new ScalarNode(location, string.Empty, ScalarKind.Null),
            };

            _converting.Remove(node);
            return ApplyTag(converted, tag, location);
        }

        private static ScalarNode ConvertScalar(YamlScalarNode scalar, SourceLocation location, string? tag)
        {
            var value = scalar.Value ?? string.Empty;
            if (tag == "tag:yaml.org,2002:str" || scalar.Style is not YamlDotNet.Core.ScalarStyle.Plain || (tag is not null && tag.StartsWith('!') && tag != "!"))
            {
                return new ScalarNode(location, value, ScalarKind.String) { Quoted = scalar.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted };
            }

            return new ScalarNode(location, value, ResolvePlain(value));
        }

        private DocumentNode ConvertMapping(YamlMappingNode mapping, SourceLocation location)
        {
            var entries = new List<MappingEntry>();
            foreach (var (key, value) in mapping.Children)
            {
                var keyLocation = Loc(path, key.Start);
                if (key is not YamlScalarNode { Value: { } name })
                {
                    diagnostics.Add(Diagnostic.Error(keyLocation, YamlRule, "A mapping key must be a plain string", "write the key as text"));
                    continue;
                }

                entries.Add(new MappingEntry(name, keyLocation, Convert(value)));
            }

            return new MappingNode(location, entries);
        }

        private DocumentNode ApplyTag(DocumentNode converted, string? tag, SourceLocation location)
        {
            if (tag is null || tag == "!" || tag.StartsWith("tag:yaml.org,2002:", StringComparison.Ordinal))
            {
                return converted;
            }

            if (dialect == DocumentDialect.CloudFormation && ShortForms.TryGetValue(tag, out var function))
            {
                if (function == "Fn::GetAtt" && converted is ScalarNode { Value: var dotted } scalar)
                {
                    // !GetAtt Resource.Attribute (the attribute may itself contain dots: Endpoint.Address).
                    var dot = dotted.IndexOf('.', StringComparison.Ordinal);
                    DocumentNode[] parts = dot < 0
                        ? [scalar]
                        : [new ScalarNode(scalar.Location, dotted[..dot], ScalarKind.String), new ScalarNode(scalar.Location, dotted[(dot + 1)..], ScalarKind.String)];
                    converted = new SequenceNode(scalar.Location, parts);
                }

                return new MappingNode(location, [new MappingEntry(function, location, converted)]);
            }

            var known = dialect == DocumentDialect.CloudFormation
                ? "use one of " + string.Join(", ", ShortForms.Keys.Where(k => k != "!ToJsonString" && k != "!Length" && k != "!Transform"))
                : "remove the tag";
            var suggestion = dialect == DocumentDialect.CloudFormation ? Closest(tag, ShortForms.Keys) : null;
            diagnostics.Add(Diagnostic.Error(
                location,
                TagRule,
                $"Unknown tag '{tag}'",
                suggestion is null ? known : $"did you mean {suggestion}?"));
            return converted;
        }
    }

    /// <summary>YAML 1.2 core schema resolution of an unquoted scalar.</summary>
    private static ScalarKind ResolvePlain(string value)
    {
        if (value is "" or "~" or "null" or "Null" or "NULL")
        {
            return ScalarKind.Null;
        }

        if (value is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return ScalarKind.Boolean;
        }

        return PlainNumber().IsMatch(value) ? ScalarKind.Number : ScalarKind.String;
    }

    [GeneratedRegex(@"^[-+]?(\d+|\d+\.\d*|\.\d+)([eE][-+]?\d+)?$|^0x[0-9a-fA-F]+$|^0o[0-7]+$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainNumber();

    private static ParsedDocument ParseJson(string path, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lineStarts.Add(i + 1);
            }
        }

        var diagnostics = new List<Diagnostic>();
        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read())
            {
                return Failed(path, Diagnostic.Error(new SourceLocation(path, 1, 1), EmptyRule, "The file holds no JSON value", "write the document, or delete the file"));
            }

            var root = ReadJson(ref reader, path, bytes, lineStarts, diagnostics);
            if (reader.Read())
            {
                throw new JsonException("There is more than one JSON value in the file.", null, null, null);
            }

            return new ParsedDocument(path, root, diagnostics);
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? 0) + 1;
            var column = CharColumn(text, line, (int)(ex.BytePositionInLine ?? 0)) + 1;
            var message = Clean(ex.Message);
            foreach (var marker in new[] { " LineNumber:", " Path:" })
            {
                var cut = message.IndexOf(marker, StringComparison.Ordinal);
                if (cut > 0)
                {
                    message = message[..cut];
                }
            }

            message = message.Replace(" Change the reader options.", string.Empty, StringComparison.Ordinal);
            return Failed(path, Diagnostic.Error(
                new SourceLocation(path, line, column),
                JsonRule,
                $"Invalid JSON: {message}",
                "check for a missing comma, quote or bracket, or a trailing comma, at this position"));
        }
    }

    private static DocumentNode ReadJson(ref Utf8JsonReader reader, string path, byte[] bytes, List<int> lineStarts, List<Diagnostic> diagnostics)
    {
        var location = JsonLocation(path, bytes, lineStarts, (int)reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var entries = new List<MappingEntry>();
                var keys = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var keyLocation = JsonLocation(path, bytes, lineStarts, (int)reader.TokenStartIndex);
                    var key = reader.GetString()!;
                    reader.Read();
                    var value = ReadJson(ref reader, path, bytes, lineStarts, diagnostics);
                    if (!keys.Add(key))
                    {
                        diagnostics.Add(Diagnostic.Error(keyLocation, DuplicateKeyRule, $"The key \"{key}\" is repeated", "remove or rename the repeated key; only the last one would count"));
                        entries.RemoveAll(e => e.Key == key);
                    }

                    entries.Add(new MappingEntry(key, keyLocation, value));
                }

                return new MappingNode(location, entries);
            case JsonTokenType.StartArray:
                var items = new List<DocumentNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadJson(ref reader, path, bytes, lineStarts, diagnostics));
                }

                return new SequenceNode(location, items);
            case JsonTokenType.String:
                return new ScalarNode(location, reader.GetString()!, ScalarKind.String) { Quoted = true };
            case JsonTokenType.Number:
                return new ScalarNode(location, Encoding.UTF8.GetString(reader.ValueSpan), ScalarKind.Number);
            case JsonTokenType.True:
                return new ScalarNode(location, "true", ScalarKind.Boolean);
            case JsonTokenType.False:
                return new ScalarNode(location, "false", ScalarKind.Boolean);
            default:
                return new ScalarNode(location, string.Empty, ScalarKind.Null);
        }
    }

    private static SourceLocation JsonLocation(string path, byte[] bytes, List<int> lineStarts, int offset)
    {
        var line = lineStarts.BinarySearch(offset);
        if (line < 0)
        {
            line = ~line - 1;
        }

        var column = Encoding.UTF8.GetCharCount(bytes, lineStarts[line], offset - lineStarts[line]) + 1;
        return new SourceLocation(path, line + 1, column);
    }

    private static string Clean(string message) => message.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Trim();

    /// <summary>Converts a byte offset within a line to a character offset (JSON reports bytes).</summary>
    private static int CharColumn(string text, int line, int byteOffset)
    {
        var lines = text.Split('\n');
        if (line - 1 >= lines.Length)
        {
            return byteOffset;
        }

        var bytes = Encoding.UTF8.GetBytes(lines[line - 1]);
        var take = Math.Min(byteOffset, bytes.Length);
        return Encoding.UTF8.GetCharCount(bytes, 0, take);
    }

    private static (int Line, int Column) LineAndColumnOfByte(byte[] content, int index)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < index && i < content.Length; i++)
        {
            if (content[i] == (byte)'\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, index - lineStart + 1);
    }

    /// <summary>The candidate closest to <paramref name="word"/> (case-insensitive edit distance), if close enough.</summary>
    public static string? Closest(string word, IEnumerable<string> candidates, int? maxDistance = null)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = EditDistance(word.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best is not null && bestDistance <= (maxDistance ?? Math.Max(2, best.Length / 3)) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
