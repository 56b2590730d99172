using GluePipeline.Linting;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Templates;

/// <summary>Truncated and mutated templates always give findings, never an unhandled exception.</summary>
public sealed class TemplateFuzzTests
{
    private static readonly string[] Seeds = Directory
        .GetFiles(Path.Combine(RepositoryRoot.Path, "tests", "Templates", "Corpus"))
        .Where(f => !f.EndsWith(".txt", StringComparison.Ordinal))
        .Append(Path.Combine(RepositoryRoot.Path, "templates", "etl.yaml"))
        .Order(StringComparer.Ordinal)
        .ToArray();

    private static readonly string[] Fragments = [":", "[", "]", "{", "}", "!Ref ", "!GetAtt ", "- ", "\"", "'", "\t", "Fn::If", "!Sub ${", "&a ", "*a", "\n  ", "Ref", "?", "%", "\u00e9", "\0"];

    private static void AssertWellBehaved(string name, string text)
    {
        var report = RepositoryLinter.LintTemplateText(name, text);

        report.Findings.Should().NotContain(f => f.Rule == RepositoryLinter.InternalRule, $"Lint must not trip over:\n{text}");
        report.Findings.Should().NotContain(f => f.Location == null || f.Location.Value.Line < 1 || f.Location.Value.Column < 1, "every finding points at a line and column");
    }

    [Fact]
    public void Every_truncation_of_every_seed_template_is_linted_without_a_crash()
    {
        foreach (var seed in Seeds)
        {
            var text = File.ReadAllText(seed);
            var name = Path.GetFileName(seed);
            var resources = text.IndexOf("Resources", StringComparison.Ordinal);
            for (var length = 0; length < text.Length; length += Math.Max(1, text.Length / 97))
            {
                var truncated = text[..length];
                AssertWellBehaved(name, truncated);
                if (length <= resources)
                {
                    RepositoryLinter.LintTemplateText(name, truncated).Findings.Should().NotBeEmpty("a template cut before its Resources is not a template");
                }
            }
        }
    }

    [Fact]
    public void Thousands_of_random_mutations_are_linted_without_a_crash()
    {
        var random = new Random(20261127);
        var mutations = 0;
        foreach (var seed in Seeds)
        {
            var text = File.ReadAllText(seed);
            var name = Path.GetFileName(seed);
            for (var i = 0; i < 60; i++)
            {
                AssertWellBehaved(name, Mutate(text, random));
                mutations++;
            }
        }

        mutations.Should().BeGreaterThan(2500);
    }

    private static string Mutate(string text, Random random)
    {
        var result = text;
        var steps = random.Next(1, 4);
        for (var s = 0; s < steps && result.Length > 0; s++)
        {
            var at = random.Next(result.Length);
            var lines = result.Split('\n');
            switch (random.Next(6))
            {
                case 0:
                    result = result.Remove(at, Math.Min(random.Next(1, 12), result.Length - at));
                    break;
                case 1:
                    result = result.Insert(at, Fragments[random.Next(Fragments.Length)]);
                    break;
                case 2:
                    var line = random.Next(lines.Length);
                    result = string.Join('\n', lines.Take(line + 1).Append(lines[line]).Concat(lines.Skip(line + 1)));
                    break;
                case 3:
                    var a = random.Next(lines.Length);
                    var b = random.Next(lines.Length);
                    (lines[a], lines[b]) = (lines[b], lines[a]);
                    result = string.Join('\n', lines);
                    break;
                case 4:
                    var l = random.Next(lines.Length);
                    lines[l] = random.Next(2) == 0 ? " " + lines[l] : lines[l].TrimStart();
                    result = string.Join('\n', lines);
                    break;
                default:
                    var word = random.Next(lines.Length);
                    lines[word] = lines[word].Replace("Ref", "Reff", StringComparison.Ordinal).Replace("GetAtt", "GetAt", StringComparison.Ordinal).Replace("Type", "Typo", StringComparison.Ordinal);
                    result = string.Join('\n', lines);
                    break;
            }
        }

        return result;
    }
}
