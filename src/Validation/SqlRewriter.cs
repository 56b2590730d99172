using System.Text;

namespace GluePipeline.Validation;

/// <summary>
/// Rewrites the dataset names of a CustomSql statement: <c>primary</c> (a reserved word in DuckDB,
/// PostgreSQL and MySQL) and the reference aliases become the engine's relations. Words inside
/// string literals, quoted identifiers and comments are left alone, and so are qualified names
/// (<c>primary.col</c> keeps working through the alias the rewrite adds).
/// </summary>
public static class SqlRewriter
{
    /// <summary>Replaces each bare word of <paramref name="relations"/> (case-insensitive) with its relation, aliased back to the word.</summary>
    public static string ReplaceDatasets(string sql, IReadOnlyDictionary<string, string> relations)
    {
        var result = new StringBuilder(sql.Length + 32);
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c is '\'' or '"' or '`')
            {
                var end = i + 1;
                while (end < sql.Length && !(sql[end] == c && (end + 1 >= sql.Length || sql[end + 1] != c)))
                {
                    end += sql[end] == c ? 2 : 1;
                }

                end = Math.Min(end + 1, sql.Length);
                result.Append(sql, i, end - i);
                i = end;
                continue;
            }

            if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                var end = sql.IndexOf('\n', i);
                end = end < 0 ? sql.Length : end;
                result.Append(sql, i, end - i);
                i = end;
                continue;
            }

            if (char.IsLetter(c) || c == '_')
            {
                var end = i;
                while (end < sql.Length && (char.IsLetterOrDigit(sql[end]) || sql[end] == '_'))
                {
                    end++;
                }

                var word = sql[i..end];
                var qualifiedBefore = i > 0 && sql[i - 1] == '.';
                var qualifiedAfter = end < sql.Length && sql[end] == '.';
                var match = relations.FirstOrDefault(r => r.Key.Equals(word, StringComparison.OrdinalIgnoreCase));
                if (match.Key is not null && !qualifiedBefore && !qualifiedAfter && IsTablePosition(result))
                {
                    result.Append(match.Value).Append(" AS ").Append(Alias(match.Key));
                }
                else if (match.Key is not null && qualifiedAfter && !qualifiedBefore)
                {
                    result.Append(Alias(match.Key));
                }
                else
                {
                    result.Append(word);
                }

                i = end;
                continue;
            }

            result.Append(c);
            i++;
        }

        return result.ToString();
    }

    /// <summary>The alias a dataset word gets (reserved words such as primary cannot be aliases themselves).</summary>
    public static string Alias(string word) => "dq_" + word.ToLowerInvariant();

    /// <summary>Whether the text so far ends with FROM or JOIN (or a comma in a FROM list), i.e. a table name comes next.</summary>
    private static bool IsTablePosition(StringBuilder before)
    {
        var text = before.ToString().TrimEnd();
        return text.EndsWith("from", StringComparison.OrdinalIgnoreCase) || text.EndsWith("join", StringComparison.OrdinalIgnoreCase) || text.EndsWith(',');
    }
}
