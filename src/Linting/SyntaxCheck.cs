using System.Text;
using System.Text.Json;
using GluePipeline.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GluePipeline.Linting;

/// <summary>
/// The first gate of Lint: a YAML or JSON file must be well-formed before anything else can be
/// said about it. Reports the first syntax error with its line and column (1-based).
/// </summary>
public static class SyntaxCheck
{
    /// <summary>Rule id of a YAML syntax error.</summary>
    public const string YamlRule = "YAML-SYNTAX";

    /// <summary>Rule id of a JSON syntax error.</summary>
    public const string JsonRule = "JSON-SYNTAX";

    /// <summary>Rule id of a file that is empty where a document is required.</summary>
    public const string EmptyRule = "EMPTY-FILE";

    /// <summary>Rule id of a file that is not valid UTF-8 text.</summary>
    public const string EncodingRule = "FILE-ENCODING";

    /// <summary>Whether a path names a file this check understands.</summary>
    public static bool Applies(string path) =>
        path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) ||
        path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) ||
        path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Checks one file's bytes; returns the syntax error, or null when the file is well-formed.</summary>
    /// <param name="displayPath">The path to show in the finding.</param>
    /// <param name="content">The file's bytes.</param>
    public static Diagnostic? Check(string displayPath, byte[] content)
    {
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(content);
        }
        catch (DecoderFallbackException ex)
        {
            var (line, column) = LineAndColumnOfByte(content, Math.Max(0, ex.Index));
            return Diagnostic.Error(new SourceLocation(displayPath, line, column), EncodingRule, "The file is not valid UTF-8 text", "save the file as UTF-8");
        }

        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return Diagnostic.Error(new SourceLocation(displayPath, 1, 1), EmptyRule, "The file is empty", "write the document, or delete the file");
        }

        return displayPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? CheckJson(displayPath, text)
            : CheckYaml(displayPath, text);
    }

    private static Diagnostic? CheckYaml(string path, string text)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0 || stream.Documents.All(d => d.RootNode is YamlScalarNode { Value: null or "" }))
            {
                return Diagnostic.Error(new SourceLocation(path, 1, 1), EmptyRule, "The file holds no YAML document", "write the document, or delete the file");
            }

            return null;
        }
        catch (YamlException ex)
        {
            var mark = ex.Start;
            var message = Clean(ex.InnerException?.Message ?? ex.Message);
            return Diagnostic.Error(
                new SourceLocation(path, (int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column)),
                YamlRule,
                $"Invalid YAML: {message}",
                message.Contains("key", StringComparison.OrdinalIgnoreCase) && message.Contains("duplicate", StringComparison.OrdinalIgnoreCase)
                    ? "remove or rename the repeated key"
                    : "check the indentation, a missing ':' or space after it, and unclosed quotes or brackets at this position");
        }
    }

    private static Diagnostic? CheckJson(string path, string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            return null;
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

            return Diagnostic.Error(
                new SourceLocation(path, line, column),
                JsonRule,
                $"Invalid JSON: {message}",
                "check for a missing comma, quote or bracket, or a trailing comma, at this position");
        }
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
}
