using System.Globalization;

namespace GluePipeline.Build.Hosting;

/// <summary>
/// Parses <c>--name=value</c>, <c>--name value</c>, <c>--flag</c> and <c>-x value</c> against the
/// declared switches. Cake configuration overrides (<c>--section_key=value</c>) pass through.
/// </summary>
internal static class ArgumentParser
{
    public static ILookup<string, string> Parse(IReadOnlyList<string> args, IReadOnlyCollection<HostSwitch> switches)
    {
        var byName = new Dictionary<string, HostSwitch>(StringComparer.OrdinalIgnoreCase);
        foreach (var sw in switches)
        {
            byName[sw.Name] = sw;
            foreach (var alias in sw.Aliases)
            {
                byName[alias] = sw;
            }
        }

        var values = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < args.Count; i++)
        {
            var token = args[i];
            if (!token.StartsWith('-') || token == "-" || token == "--")
            {
                throw new HostUsageException(
                    token,
                    "ARG-UNEXPECTED",
                    $"Unexpected argument '{token}'",
                    token.Contains('=', StringComparison.Ordinal)
                        ? $"switches start with two dashes: --{token}"
                        : $"to run a target, write --target={token}");
            }

            var body = token.TrimStart('-');
            var eq = body.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? body : body[..eq];
            string? inline = eq < 0 ? null : body[(eq + 1)..];

            if (!byName.TryGetValue(name, out var sw))
            {
                if (name.Contains('_', StringComparison.Ordinal) && name.Length > 2)
                {
                    // A Cake configuration override, e.g. --settings_showprocesscommandline=true.
                    values.Add(new(name.ToLowerInvariant(), inline ?? TakeValueOrTrue(args, ref i)));
                    continue;
                }

                throw UnknownSwitch(token, name, switches);
            }

            string value;
            if (sw.IsFlag)
            {
                value = inline ?? "true";
                if (!bool.TryParse(value, out _))
                {
                    throw new HostUsageException(token, "ARG-VALUE", $"--{sw.Name} is a flag and takes no value other than true or false", $"write --{sw.Name} on its own");
                }

                value = value.ToLowerInvariant();
            }
            else if (inline is not null)
            {
                value = inline;
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                throw new HostUsageException(token, "ARG-VALUE", $"--{sw.Name} needs a value", $"write --{sw.Name}=<{sw.ValueName}>");
            }

            if (!sw.Repeatable && values.Any(v => v.Key == sw.Name))
            {
                throw new HostUsageException(token, "ARG-TWICE", $"--{sw.Name} is given more than once", $"give --{sw.Name} once");
            }

            values.Add(new(sw.Name, value));
        }

        return values.ToLookup(v => v.Key, v => v.Value, StringComparer.OrdinalIgnoreCase);
    }

    private static string TakeValueOrTrue(IReadOnlyList<string> args, ref int i) =>
        i + 1 < args.Count && !args[i + 1].StartsWith('-') ? args[++i] : "true";

    private static HostUsageException UnknownSwitch(string token, string name, IReadOnlyCollection<HostSwitch> switches)
    {
        var closest = Suggest(name, switches.Select(s => s.Name));
        var fix = closest is null
            ? "run with --help to list the switches"
            : string.Create(CultureInfo.InvariantCulture, $"did you mean --{closest}? Run with --help to list the switches");
        return new HostUsageException(token, "ARG-UNKNOWN", $"Unknown switch '{token}'", fix);
    }

    /// <summary>The candidate closest to <paramref name="word"/> by edit distance, if any is close enough.</summary>
    public static string? Suggest(string word, IEnumerable<string> candidates)
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

        return best is not null && bestDistance <= Math.Max(2, best.Length / 3) ? best : null;
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
