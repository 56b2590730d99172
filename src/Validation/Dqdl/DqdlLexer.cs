using System.Text;
using GluePipeline.Diagnostics;

namespace GluePipeline.Validation.Dqdl;

/// <summary>The kinds of DQDL tokens.</summary>
internal enum TokenKind
{
    Identifier,
    String,
    Number,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    LParen,
    RParen,
    Comma,
    Colon,
    Equal,
    NotEqual,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Plus,
    Minus,
    Star,
    Slash,
    Dollar,
    Bang,
    End,
}

/// <summary>One token with its position in the file and its offsets in the text.</summary>
internal sealed record Token(TokenKind Kind, string Text, int Line, int Column, int Start, int End)
{
    /// <summary>For strings: the content between the quotes, escapes kept as written.</summary>
    public string Raw => Kind == TokenKind.String ? Text[1..^1] : Text;

    /// <summary>For strings: the content with every backslash escape resolved (<c>\"</c> gives <c>"</c>).</summary>
    public string Unescaped
    {
        get
        {
            var raw = Raw;
            var result = new StringBuilder(raw.Length);
            for (var i = 0; i < raw.Length; i++)
            {
                if (raw[i] == '\\' && i + 1 < raw.Length)
                {
                    i++;
                }

                result.Append(raw[i]);
            }

            return result.ToString();
        }
    }

    /// <summary>Whether this is the identifier (keyword) <paramref name="word"/>, case-sensitively.</summary>
    public bool Is(string word) => Kind == TokenKind.Identifier && Text == word;

    /// <summary>Whether this is the identifier <paramref name="word"/>, ignoring case (and, or, null, ...).</summary>
    public bool IsIgnoreCase(string word) => Kind == TokenKind.Identifier && Text.Equals(word, StringComparison.OrdinalIgnoreCase);

    /// <summary>How the token reads in an error message.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.End => "the end of the file",
        TokenKind.String => $"the string {Text}",
        _ => $"'{Text}'",
    };
}

/// <summary>
/// Splits DQDL text into tokens (awslabs/dqdl CommonLexerRules.g4): double-quoted strings with
/// <c>\"</c> and <c>\\</c> escapes, numbers without exponent, identifiers <c>[A-Za-z0-9_.]+</c>,
/// <c>#</c> comments. More lenient than the reference lexer where that costs nothing: CRLF line
/// endings and a final comment without a newline are fine.
/// </summary>
internal static class DqdlLexer
{
    public static (List<Token> Tokens, Diagnostic? Error) Tokenize(string path, string text)
    {
        var tokens = new List<Token>();
        var line = 1;
        var lineStart = 0;
        var i = 0;

        Diagnostic Error(int at, string message, string fix) =>
            Diagnostic.Error(new SourceLocation(path, line, at - lineStart + 1), "DQDL-SYNTAX", message, fix);

        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                i++;
                line++;
                lineStart = i;
                continue;
            }

            if (c is ' ' or '\t' or '\r' or '\uFEFF')
            {
                i++;
                continue;
            }

            if (c == '#')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            var start = i;
            var column = i - lineStart + 1;
            Token Make(TokenKind kind, int length)
            {
                i += length;
                return new Token(kind, text.Substring(start, length), line, column, start, start + length);
            }

            switch (c)
            {
                case '"':
                {
                    var j = i + 1;
                    while (j < text.Length && text[j] != '"' && text[j] != '\n')
                    {
                        j += text[j] == '\\' && j + 1 < text.Length && text[j + 1] is '"' or '\\' ? 2 : 1;
                    }

                    if (j >= text.Length || text[j] != '"')
                    {
                        return (tokens, Error(start, "The string is not closed", "end the string with \" on the same line (write \\\" for a quote inside it)"));
                    }

                    tokens.Add(Make(TokenKind.String, j - i + 1));
                    continue;
                }

                case '[': tokens.Add(Make(TokenKind.LBracket, 1)); continue;
                case ']': tokens.Add(Make(TokenKind.RBracket, 1)); continue;
                case '{': tokens.Add(Make(TokenKind.LBrace, 1)); continue;
                case '}': tokens.Add(Make(TokenKind.RBrace, 1)); continue;
                case '(': tokens.Add(Make(TokenKind.LParen, 1)); continue;
                case ')': tokens.Add(Make(TokenKind.RParen, 1)); continue;
                case ',': tokens.Add(Make(TokenKind.Comma, 1)); continue;
                case ':': tokens.Add(Make(TokenKind.Colon, 1)); continue;
                case '+': tokens.Add(Make(TokenKind.Plus, 1)); continue;
                case '-': tokens.Add(Make(TokenKind.Minus, 1)); continue;
                case '*': tokens.Add(Make(TokenKind.Star, 1)); continue;
                case '/': tokens.Add(Make(TokenKind.Slash, 1)); continue;
                case '$': tokens.Add(Make(TokenKind.Dollar, 1)); continue;
                case '=': tokens.Add(Make(TokenKind.Equal, 1)); continue;
                case '!':
                    tokens.Add(i + 1 < text.Length && text[i + 1] == '=' ? Make(TokenKind.NotEqual, 2) : Make(TokenKind.Bang, 1));
                    continue;
                case '>':
                    tokens.Add(i + 1 < text.Length && text[i + 1] == '=' ? Make(TokenKind.GreaterOrEqual, 2) : Make(TokenKind.Greater, 1));
                    continue;
                case '<':
                    tokens.Add(i + 1 < text.Length && text[i + 1] == '=' ? Make(TokenKind.LessOrEqual, 2) : Make(TokenKind.Less, 1));
                    continue;
            }

            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '.')
            {
                var j = i;
                while (j < text.Length && (char.IsAsciiLetterOrDigit(text[j]) || text[j] is '_' or '.'))
                {
                    j++;
                }

                var word = text[i..j];
                tokens.Add(Make(IsNumber(word) ? TokenKind.Number : TokenKind.Identifier, j - i));
                continue;
            }

            if (c == '\'')
            {
                return (tokens, Error(start, "Strings in DQDL use double quotes", "write \"...\" instead of '...'"));
            }

            return (tokens, Error(start, $"Unexpected character '{c}'", "remove it; DQDL has rules, quoted strings, numbers, brackets and comparison operators"));
        }

        tokens.Add(new Token(TokenKind.End, string.Empty, line, i - lineStart + 1, i, i));
        return (tokens, null);
    }

    private static bool IsNumber(string word)
    {
        var dot = word.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? word : word[..dot];
        var fraction = dot < 0 ? null : word[(dot + 1)..];
        return whole.Length > 0 && whole.All(char.IsAsciiDigit) && (fraction is null || (fraction.Length > 0 && fraction.All(char.IsAsciiDigit)));
    }
}
