using System.Globalization;
using System.Text.RegularExpressions;
using GluePipeline.Diagnostics;
using GluePipeline.Documents;

namespace GluePipeline.Validation.Dqdl;

/// <summary>
/// Parses DQDL (awslabs/dqdl DataQualityDefinitionLanguage.g4): <c>Metadata</c>, <c>DataSources</c>,
/// variables, <c>DefaultLabels</c> and <c>Rules = [ ... ]</c> with simple and composite rules,
/// conditions, <c>where</c>, <c>with threshold</c>, tags and labels. Every mistake is a finding
/// with line and column; all findings of a file are collected before failing.
/// </summary>
public static partial class DqdlParser
{
    /// <summary>Parses a rule file's text; throws <see cref="PipelineInputException"/> with every finding.</summary>
    public static DqdlDocument Parse(string path, string text)
    {
        var (document, findings) = TryParse(path, text);
        if (findings.Count > 0 || document is null)
        {
            throw new PipelineInputException(findings.Count > 0 ? findings : [Diagnostic.Error(new SourceLocation(path, 1, 1), "DQDL-SYNTAX", "The rule file could not be read")]);
        }

        return document;
    }

    /// <summary>Parses a rule file's text; returns the document (null when there were findings) and the findings.</summary>
    public static (DqdlDocument? Document, IReadOnlyList<Diagnostic> Findings) TryParse(string path, string text)
    {
        var (tokens, lexError) = DqdlLexer.Tokenize(path, text);
        if (lexError is not null)
        {
            return (null, [lexError]);
        }

        var parser = new Parser(path, text, tokens);
        var document = parser.Document();
        return parser.Findings.Count > 0 ? (null, parser.Findings) : (document, parser.Findings);
    }

    /// <summary>The types ColumnDataType can check (case-insensitive), plus DECIMAL(p,s).</summary>
    public static IReadOnlyList<string> DataTypes { get; } = ["BOOLEAN", "DATE", "TIMESTAMP", "INTEGER", "DOUBLE", "FLOAT", "LONG"];

    [GeneratedRegex(@"^DECIMAL\(\s*\d+\s*,\s*\d+\s*\)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex DecimalType();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex DateShape();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex VariableName();

    /// <summary>A problem in the rule file; unwinds to the next rule so the others are still checked.</summary>
    private sealed class SyntaxError(Diagnostic diagnostic) : Exception(diagnostic.Message)
    {
        public Diagnostic Diagnostic { get; } = diagnostic;
    }

    /// <summary>An operand before it is known which kind of condition it belongs to.</summary>
    private abstract record Operand(Token At);

    private sealed record NumberArg(Token At, NumberOperand Value) : Operand(At);

    private sealed record StringArg(Token At, StringOperand Value) : Operand(At);

    private sealed record DateArg(Token At, DateOperand Value) : Operand(At);

    private sealed record DurationArg(Token At, Duration Value) : Operand(At);

    private sealed record NullArg(Token At) : Operand(At);

    private sealed class Parser(string path, string text, List<Token> tokens)
    {
        private readonly Dictionary<string, (bool IsList, IReadOnlyList<StringOperand> Values)> _variables = new(StringComparer.Ordinal);
        private int _position;
        private Dictionary<string, string> _defaultLabels = new(StringComparer.Ordinal);

        public List<Diagnostic> Findings { get; } = [];

        private Token Current => tokens[_position];

        private Token Peek(int ahead = 1) => tokens[Math.Min(_position + ahead, tokens.Count - 1)];

        private Token Next() => tokens[_position < tokens.Count - 1 ? _position++ : _position];

        private SourceLocation Loc(Token token) => new(path, token.Line, token.Column);

        private SyntaxError Error(Token at, string message, string fix, string rule = "DQDL-SYNTAX") =>
            new(Diagnostic.Error(Loc(at), rule, message, fix));

        private Token Expect(TokenKind kind, string what, string fix)
        {
            if (Current.Kind != kind)
            {
                throw Error(Current, $"Expected {what} but found {Current.Describe()}", fix);
            }

            return Next();
        }

        // ----- Document -----------------------------------------------------------------

        public DqdlDocument? Document()
        {
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            string? primary = null;
            var additional = new List<string>();
            List<DqdlRule>? rules = null;
            while (Current.Kind != TokenKind.End)
            {
                try
                {
                    var name = Current;
                    if (name.Kind != TokenKind.Identifier)
                    {
                        throw Error(name, $"Expected a section (Rules, Metadata, DataSources) or a variable but found {name.Describe()}", "start the file with Rules = [ ... ]");
                    }

                    if (rules is not null)
                    {
                        throw Error(name, $"'{name.Text}' comes after the Rules list", "put Metadata, DataSources, variables and DefaultLabels before Rules; the Rules list ends the file");
                    }

                    Next();
                    Expect(TokenKind.Equal, "'=' after " + name.Text, $"write {name.Text} = ...");
                    switch (name.Text)
                    {
                        case "Rules":
                            rules = RuleList();
                            break;
                        case "Analyzers":
                            throw Error(name, "Analyzers are not evaluated by this engine", "remove the Analyzers section; write the checks as Rules");
                        case "Metadata":
                            foreach (var (key, (value, at)) in Dictionary("Metadata"))
                            {
                                if (key != "Version")
                                {
                                    throw Error(at, $"Unsupported key \"{key}\" in Metadata", "Metadata takes \"Version\" only");
                                }

                                metadata[key] = value.Single();
                            }

                            break;
                        case "DataSources" or "Sources":
                            foreach (var (key, (values, at)) in Dictionary(name.Text))
                            {
                                switch (key)
                                {
                                    case "Primary":
                                        primary = values.Single();
                                        break;
                                    case "AdditionalDataSources":
                                        additional.AddRange(values);
                                        break;
                                    default:
                                        throw Error(at, $"Unsupported key \"{key}\" in {name.Text}", "DataSources takes \"Primary\" and \"AdditionalDataSources\"");
                                }
                            }

                            break;
                        case "DefaultLabels":
                            _defaultLabels = Labels(name);
                            break;
                        default:
                            Variable(name);
                            break;
                    }
                }
                catch (SyntaxError error)
                {
                    Findings.Add(error.Diagnostic);
                    return null;
                }
            }

            if (rules is null)
            {
                Findings.Add(Diagnostic.Error(new SourceLocation(path, Current.Line, Current.Column), "DQDL-SYNTAX", "The file has no Rules list", "write Rules = [ RowCount > 0 ]"));
                return null;
            }

            return new DqdlDocument(path, rules)
            {
                Metadata = metadata,
                PrimarySource = primary,
                AdditionalSources = additional,
                DefaultLabels = _defaultLabels,
            };
        }

        private Dictionary<string, (List<string> Values, Token At)> Dictionary(string section)
        {
            var open = Expect(TokenKind.LBrace, "'{' to open " + section, $"write {section} = {{ \"Key\": \"value\" }}");
            var result = new Dictionary<string, (List<string>, Token)>(StringComparer.Ordinal);
            if (Current.Kind == TokenKind.RBrace)
            {
                throw Error(open, $"{section} is empty", $"remove {section}, or give it keys");
            }

            while (true)
            {
                var key = Expect(TokenKind.String, "a quoted key", "write \"Key\": \"value\"");
                Expect(TokenKind.Colon, "':' after the key", "write \"Key\": \"value\"");
                var values = new List<string>();
                if (Current.Kind == TokenKind.LBracket)
                {
                    Next();
                    do
                    {
                        values.Add(Expect(TokenKind.String, "a quoted value", "write [\"a\", \"b\"]").Unescaped);
                    }
                    while (Current.Kind == TokenKind.Comma && Next() is not null);

                    Expect(TokenKind.RBracket, "']'", "close the list with ]");
                }
                else
                {
                    values.Add(Expect(TokenKind.String, "a quoted value", "write \"Key\": \"value\"").Unescaped);
                }

                result[key.Unescaped] = (values, key);
                if (Current.Kind != TokenKind.Comma)
                {
                    break;
                }

                Next();
            }

            Expect(TokenKind.RBrace, "'}' to close " + section, "close it with }");
            return result;
        }

        private void Variable(Token name)
        {
            if (!VariableName().IsMatch(name.Text))
            {
                throw Error(name, $"'{name.Text}' is not a valid variable name", "use letters, digits and underscores, starting with a letter or digit");
            }

            if (_variables.ContainsKey(name.Text))
            {
                throw Error(name, $"Variable '{name.Text}' is already defined", "give each variable one definition");
            }

            if (Current.Kind == TokenKind.LBracket)
            {
                Next();
                var values = new List<StringOperand>();
                do
                {
                    values.Add(VariableValue());
                }
                while (Current.Kind == TokenKind.Comma && Next() is not null);

                Expect(TokenKind.RBracket, "']' to close the list", "close the list with ]");
                _variables[name.Text] = (true, values);
            }
            else
            {
                _variables[name.Text] = (false, [VariableValue()]);
            }
        }

        private StringOperand VariableValue()
        {
            var token = Next();
            if (token.Kind == TokenKind.String)
            {
                if (token.Raw.Contains('$', StringComparison.Ordinal) && Regex.IsMatch(token.Raw, @"\$[A-Za-z0-9_]"))
                {
                    throw Error(token, "Variables cannot refer to other variables", "write the value out");
                }

                return new StringValue(token.Unescaped);
            }

            return KeywordString(token) ?? throw Error(token, $"Expected a quoted value but found {token.Describe()}", "variables hold strings: name = \"value\" or name = [\"a\", \"b\"]");
        }

        private static StringOperand? KeywordString(Token token) =>
            token.IsIgnoreCase("NULL") ? new NullString() :
            token.IsIgnoreCase("EMPTY") ? new EmptyString() :
            token.IsIgnoreCase("WHITESPACES_ONLY") ? new WhitespacesOnly() : null;

        private Dictionary<string, string> Labels(Token owner)
        {
            var closing = Current.Kind switch
            {
                TokenKind.LBracket => TokenKind.RBracket,
                TokenKind.LBrace => TokenKind.RBrace,
                _ => throw Error(Current, $"Expected '[' to open the labels of {owner.Text}", "write labels = [\"team\": \"data\", \"priority\": \"high\"]"),
            };
            Next();
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            do
            {
                var key = Expect(TokenKind.String, "a quoted label key", "write \"key\": \"value\"");
                Expect(TokenKind.Colon, "':' after the label key", "write \"key\": \"value\"");
                var value = Expect(TokenKind.String, "a quoted label value", "write \"key\": \"value\"");
                if (key.Unescaped.Length is 0 or > 128 || value.Unescaped.Length is 0 or > 256)
                {
                    throw Error(key, "A label key must have 1 to 128 characters and its value 1 to 256", "shorten the label");
                }

                if (!labels.TryAdd(key.Unescaped, value.Unescaped))
                {
                    throw Error(key, $"Duplicate label key \"{key.Unescaped}\"", "keys must be unique");
                }
            }
            while (Current.Kind == TokenKind.Comma && Next() is not null);

            Expect(closing, closing == TokenKind.RBracket ? "']'" : "'}'", "close the labels");
            return labels;
        }

        // ----- Rules --------------------------------------------------------------------

        private List<DqdlRule> RuleList()
        {
            Expect(TokenKind.LBracket, "'[' to open the Rules list", "write Rules = [ RowCount > 0 ]");
            var rules = new List<DqdlRule>();
            if (Current.Kind == TokenKind.RBracket)
            {
                throw Error(Current, "The Rules list is empty", "add at least one rule, e.g. RowCount > 0");
            }

            while (true)
            {
                try
                {
                    var start = Current;
                    var rule = OrRule(0);
                    rules.Add(rule);
                    if (Current.Kind is not (TokenKind.Comma or TokenKind.RBracket))
                    {
                        throw Error(Current, $"Unexpected {Current.Describe()} after the rule", Current.Kind == TokenKind.End ? "close the Rules list with ]" : "separate rules with commas; check the rule's syntax");
                    }

                    _ = start;
                }
                catch (SyntaxError error)
                {
                    Findings.Add(error.Diagnostic);
                    SkipToNextRule();
                }

                if (Current.Kind == TokenKind.Comma)
                {
                    Next();
                    if (Current.Kind == TokenKind.RBracket)
                    {
                        Findings.Add(Diagnostic.Error(Loc(Current), "DQDL-SYNTAX", "A comma is followed by no rule", "remove the trailing comma"));
                        Next();
                        break;
                    }

                    continue;
                }

                if (Current.Kind == TokenKind.RBracket)
                {
                    Next();
                    break;
                }

                Findings.Add(Diagnostic.Error(Loc(Current), "DQDL-SYNTAX", "The Rules list is not closed", "end the list with ]"));
                break;
            }

            if (Current.Kind != TokenKind.End)
            {
                Findings.Add(Diagnostic.Error(Loc(Current), "DQDL-SYNTAX", $"Unexpected {Current.Describe()} after the Rules list", "the Rules list ends the file; remove what follows"));
                _position = tokens.Count - 1;
            }

            return rules;
        }

        private void SkipToNextRule()
        {
            var depth = 0;
            while (Current.Kind != TokenKind.End)
            {
                switch (Current.Kind)
                {
                    case TokenKind.LParen or TokenKind.LBracket:
                        depth++;
                        break;
                    case TokenKind.RParen:
                        depth = Math.Max(0, depth - 1);
                        break;
                    case TokenKind.RBracket when depth == 0:
                        return;
                    case TokenKind.RBracket:
                        depth--;
                        break;
                    case TokenKind.Comma when depth == 0:
                        return;
                }

                Next();
            }
        }

        private DqdlRule OrRule(int depth)
        {
            var start = Current;
            var left = AndRule(depth);
            while (Current.IsIgnoreCase("or"))
            {
                var op = Next();
                var right = AndRule(depth);
                left = Composite(start, op, CompositeOperator.Or, left, right);
            }

            return left;
        }

        private DqdlRule AndRule(int depth)
        {
            var start = Current;
            var left = PrimaryRule(depth);
            while (Current.IsIgnoreCase("and"))
            {
                var op = Next();
                var right = PrimaryRule(depth);
                left = Composite(start, op, CompositeOperator.And, left, right);
            }

            return left;
        }

        private CompositeRule Composite(Token start, Token op, CompositeOperator kind, DqdlRule left, DqdlRule right)
        {
            var end = tokens[_position - 1];
            return new CompositeRule(Loc(start), Slice(start, end), kind, left, right);
        }

        private DqdlRule PrimaryRule(int depth)
        {
            if (Current.Kind == TokenKind.LParen)
            {
                if (depth >= 5)
                {
                    throw Error(Current, "Composite rules are nested more than 5 deep", "flatten the rule");
                }

                Next();
                var inner = OrRule(depth + 1);
                Expect(TokenKind.RParen, "')' to close the parenthesis", "close it with )");
                return inner;
            }

            var rule = SimpleRuleAt();
            if (Current.IsIgnoreCase("and") || Current.IsIgnoreCase("or"))
            {
                throw Error(Current, $"A rule combined with {Current.Text} must be in parentheses", $"write ({rule.Text}) {Current.Text.ToLowerInvariant()} (...)");
            }

            return rule;
        }

        private SimpleRule SimpleRuleAt()
        {
            var typeToken = Current;
            if (typeToken.Kind != TokenKind.Identifier)
            {
                throw Error(typeToken, $"Expected a rule type but found {typeToken.Describe()}", "start the rule with a rule type such as RowCount, IsComplete or ColumnValues");
            }

            Next();
            if (!RuleTypes.All.TryGetValue(typeToken.Text, out var type))
            {
                var closest = DocumentParser.Closest(typeToken.Text, RuleTypes.All.Keys);
                throw Error(typeToken, $"Unknown rule type '{typeToken.Text}'", closest is null ? "see the DQDL rule types (RowCount, IsComplete, ColumnValues, ...)" : $"did you mean {closest}?", "DQDL-RULE");
            }

            var arguments = new List<string>();
            while (true)
            {
                var connector = Current.IsIgnoreCase("of") || Current.IsIgnoreCase("and");
                var candidate = connector ? Peek() : Current;
                if (connector && candidate.Kind == TokenKind.Identifier && RuleTypes.All.ContainsKey(candidate.Text))
                {
                    break; // "A and IsComplete ..." joins two rules; it is not an argument list
                }

                if (!IsArgumentStart(candidate))
                {
                    break;
                }

                if (connector)
                {
                    Next();
                }

                arguments.Add(Argument());
            }

            if (arguments.Count < type.Min || arguments.Count > type.Max)
            {
                var expected = type.VarArgs ? $"at least {type.Min}" : type.Min == type.Max ? type.Min.ToString(CultureInfo.InvariantCulture) : $"{type.Min} or {type.Max}";
                throw Error(typeToken, $"{type.Name} takes {expected} argument{(type.Max == 1 && !type.VarArgs ? string.Empty : "s")}, not {arguments.Count}", $"write {type.Usage}", "DQDL-RULE");
            }

            Condition? condition = null;
            if (IsConditionStart(Current))
            {
                condition = ConditionFor(type, Current);
            }
            else if (!type.Conditions.HasFlag(ConditionKinds.None))
            {
                throw Error(Current, $"{type.Name} needs a condition, found {Current.Describe()}", $"write {type.Usage}", "DQDL-RULE");
            }

            string? where = null;
            NumberCondition? threshold = null;
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            var labels = new Dictionary<string, string>(_defaultLabels, StringComparer.Ordinal);
            while (true)
            {
                if (Current.Is("where"))
                {
                    var whereToken = Next();
                    if (!type.WhereAllowed)
                    {
                        throw Error(whereToken, $"{type.Name} does not take a where clause", "remove the where clause, or filter the dataset before validating", "DQDL-RULE");
                    }

                    if (where is not null)
                    {
                        throw Error(whereToken, "A rule takes one where clause", "combine the conditions with AND inside one where string");
                    }

                    var clause = Expect(TokenKind.String, "a quoted SQL condition after where", "write where \"column > 0\"");
                    if (string.IsNullOrWhiteSpace(clause.Unescaped))
                    {
                        throw Error(clause, "The where clause is empty", "write a SQL condition, e.g. where \"status = 'active'\"");
                    }

                    where = clause.Unescaped;
                }
                else if (Current.Is("with"))
                {
                    var with = Next();
                    var tag = Current.Kind is TokenKind.Identifier or TokenKind.String ? Next() : throw Error(Current, "Expected threshold or a tag name after with", "write with threshold > 0.9");
                    var tagName = tag.Kind == TokenKind.String ? tag.Unescaped : tag.Text;
                    if (tagName.Equals("threshold", StringComparison.OrdinalIgnoreCase))
                    {
                        if (!type.ThresholdAllowed || (type.Name == "CustomSql" && condition is not null))
                        {
                            throw Error(with, $"{type.Name}{(type.Name == "CustomSql" ? " with a condition" : string.Empty)} does not take a threshold", "with threshold is for ColumnValues, ColumnDataType and row-level CustomSql", "DQDL-RULE");
                        }

                        if (threshold is not null)
                        {
                            throw Error(with, "A rule takes one threshold", "remove the second with threshold");
                        }

                        var at = Current;
                        threshold = NumberConditionOnly(at, "a threshold");
                    }
                    else
                    {
                        Expect(TokenKind.Equal, $"'=' after {tagName}", $"write with {tagName} = \"value\"");
                        tags[tagName] = Expect(TokenKind.String, "a quoted value", $"write with {tagName} = \"value\"").Unescaped;
                    }
                }
                else if (Current.Is("labels"))
                {
                    var labelsToken = Next();
                    Expect(TokenKind.Equal, "'=' after labels", "write labels = [\"key\": \"value\"]");
                    foreach (var (key, value) in Labels(labelsToken))
                    {
                        labels[key] = value;
                    }

                    if (labels.Count > 10)
                    {
                        throw Error(labelsToken, $"A rule has {labels.Count} labels with the default labels; at most 10 are allowed", "remove labels");
                    }
                }
                else
                {
                    break;
                }
            }

            var end = tokens[_position - 1];
            var rule = new SimpleRule(Loc(typeToken), Slice(typeToken, end), type, arguments, condition, where, threshold)
            {
                Labels = labels,
                Tags = tags,
            };
            Check(rule, typeToken);
            return rule;
        }

        private static bool IsArgumentStart(Token token) =>
            token.Kind is TokenKind.String or TokenKind.Dollar ||
            (token.Kind == TokenKind.Identifier && !IsKeyword(token));

        private static bool IsKeyword(Token token) =>
            token.Is("where") || token.Is("with") || token.Is("between") || token.Is("in") || token.Is("not") ||
            token.Is("matches") || token.Is("labels") || token.IsIgnoreCase("and") || token.IsIgnoreCase("or");

        private string Argument()
        {
            var token = Next();
            return token.Kind switch
            {
                TokenKind.String => token.Raw,
                TokenKind.Identifier => token.Text,
                _ => VariableArgument(token),
            };
        }

        private string VariableArgument(Token dollar)
        {
            var name = Expect(TokenKind.Identifier, "a variable name after $", "write $name");
            if (!_variables.TryGetValue(name.Text, out var variable))
            {
                throw Error(name, $"Variable not found: {name.Text}", "define it before Rules: name = \"value\"");
            }

            if (variable.IsList || variable.Values[0] is not StringValue value)
            {
                throw Error(name, $"Variable '{name.Text}' is a list, not a string, and cannot be a rule argument", "use a string variable");
            }

            _ = dollar;
            return value.Value;
        }

        // ----- Conditions ---------------------------------------------------------------

        private static bool IsConditionStart(Token token) =>
            token.Kind is TokenKind.Equal or TokenKind.NotEqual or TokenKind.Greater or TokenKind.GreaterOrEqual or TokenKind.Less or TokenKind.LessOrEqual or TokenKind.Bang ||
            token.Is("between") || token.Is("in") || token.Is("not") || token.Is("matches");

        private Condition ConditionFor(RuleType type, Token at)
        {
            if (type.Conditions == ConditionKinds.None)
            {
                throw Error(at, $"{type.Name} is a yes/no check and takes no condition", $"write {type.Usage}", "DQDL-RULE");
            }

            var (op, operands) = RawCondition();
            var kind = Classify(operands, op, at);
            if (!type.Conditions.HasFlag(kind))
            {
                throw Error(at, $"{type.Name} does not take a {kind.ToString().ToLowerInvariant()} condition", $"write {type.Usage}", "DQDL-RULE");
            }

            return Build(kind, op, operands, at);
        }

        private NumberCondition NumberConditionOnly(Token at, string what)
        {
            var (op, operands) = RawCondition();
            if (Classify(operands, op, at) != ConditionKinds.Number)
            {
                throw Error(at, $"Expected a numeric condition for {what}", "write e.g. > 0.9 or between 0.5 and 1");
            }

            return (NumberCondition)Build(ConditionKinds.Number, op, operands, at);
        }

        private (ConditionOperator Op, List<Operand> Operands) RawCondition()
        {
            var token = Next();
            switch (token.Kind)
            {
                case TokenKind.Greater: return (ConditionOperator.Greater, [Operand()]);
                case TokenKind.GreaterOrEqual: return (ConditionOperator.GreaterOrEqual, [Operand()]);
                case TokenKind.Less: return (ConditionOperator.Less, [Operand()]);
                case TokenKind.LessOrEqual: return (ConditionOperator.LessOrEqual, [Operand()]);
                case TokenKind.Equal: return (ConditionOperator.Equal, [Operand()]);
                case TokenKind.NotEqual: return (ConditionOperator.NotEqual, [Operand()]);
                case TokenKind.Bang:
                    Expect(TokenKind.Equal, "'=' after '!'", "write != ...");
                    return (ConditionOperator.NotEqual, [Operand()]);
            }

            var negated = token.Is("not");
            var word = negated ? Next() : token;
            if (word.Is("between"))
            {
                var low = Operand();
                if (!Current.IsIgnoreCase("and"))
                {
                    throw Error(Current, $"Expected 'and' in between but found {Current.Describe()}", "write between 1 and 10");
                }

                Next();
                var high = Operand();
                return (negated ? ConditionOperator.NotBetween : ConditionOperator.Between, [low, high]);
            }

            if (word.Is("in"))
            {
                return (negated ? ConditionOperator.NotIn : ConditionOperator.In, OperandList());
            }

            if (word.Is("matches"))
            {
                var pattern = Expect(TokenKind.String, "a quoted regular expression after matches", "write matches \"[A-Z]{2}\"");
                try
                {
                    _ = new Regex(pattern.Raw, RegexOptions.None, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException ex)
                {
                    throw Error(pattern, $"The regular expression is not valid: {ex.Message}", "fix the pattern");
                }

                return (negated ? ConditionOperator.NotMatches : ConditionOperator.Matches, [new StringArg(pattern, new StringValue(pattern.Raw))]);
            }

            throw Error(word, $"Expected a condition but found {word.Describe()}", "write > n, >= n, < n, <= n, = x, != x, between a and b, in [..] or matches \"regex\"");
        }

        private List<Operand> OperandList()
        {
            if (Current.Kind == TokenKind.Dollar)
            {
                var dollar = Next();
                var name = Expect(TokenKind.Identifier, "a variable name after $", "write in $name");
                if (!_variables.TryGetValue(name.Text, out var variable))
                {
                    throw Error(name, $"Variable not found: {name.Text}", "define it before Rules: name = [\"a\", \"b\"]");
                }

                return variable.Values.Select(v => (Operand)new StringArg(dollar, v)).ToList();
            }

            Expect(TokenKind.LBracket, "'[' to open the list", "write in [\"a\", \"b\"]");
            var operands = new List<Operand>();
            if (Current.Kind == TokenKind.RBracket)
            {
                throw Error(Current, "The list is empty", "give at least one value");
            }

            do
            {
                if (Current.Kind == TokenKind.Dollar)
                {
                    operands.AddRange(OperandList());
                }
                else
                {
                    operands.Add(Operand(inList: true));
                }
            }
            while (Current.Kind == TokenKind.Comma && Next() is not null);

            Expect(TokenKind.RBracket, "']' to close the list", "close the list with ]");
            return operands;
        }

        private Operand Operand(bool inList = false)
        {
            var token = Current;
            if (token.Kind == TokenKind.String)
            {
                Next();
                if (DateShape().IsMatch(token.Raw))
                {
                    if (!DateOnly.TryParseExact(token.Raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                    {
                        throw Error(token, $"{token.Text} is not a calendar date", "write a date as \"yyyy-MM-dd\"");
                    }

                    return new DateArg(token, new StaticDate(date));
                }

                return new StringArg(token, new StringValue(inList ? token.Unescaped : token.Raw));
            }

            if (KeywordString(token) is { } keyword)
            {
                Next();
                return keyword is NullString ? new NullArg(token) : new StringArg(token, keyword);
            }

            if (token.Kind == TokenKind.Dollar)
            {
                Next();
                var name = Expect(TokenKind.Identifier, "a variable name after $", "write $name");
                if (!_variables.TryGetValue(name.Text, out var variable) || variable.IsList)
                {
                    throw Error(name, variable.Values is null ? $"Variable not found: {name.Text}" : $"Variable '{name.Text}' is a list; use in ${name.Text}", "define a string variable before Rules");
                }

                return new StringArg(token, variable.Values[0]);
            }

            if (IsNow(token))
            {
                ReadNow();
                return new DateArg(token, new NowDate(null, false));
            }

            if (token.Kind == TokenKind.LParen && IsNow(Peek()))
            {
                Next();
                ReadNow();
                if (Current.Kind is not (TokenKind.Plus or TokenKind.Minus))
                {
                    throw Error(Current, "Expected + or - after now()", "write (now() - 3 days)");
                }

                var subtract = Next().Kind == TokenKind.Minus;
                var amount = Expect(TokenKind.Number, "a number of days, hours or minutes", "write (now() - 3 days)");
                var unit = DurationUnit() ?? throw Error(Current, "Expected days, hours or minutes", "write (now() - 3 days)");
                Expect(TokenKind.RParen, "')' after the date expression", "write (now() - 3 days)");
                return new DateArg(token, new NowDate(new Duration(decimal.Parse(amount.Text, CultureInfo.InvariantCulture), unit), subtract));
            }

            if (token.Kind == TokenKind.Number && Peek() is { Kind: TokenKind.Identifier } next && IsDurationUnit(next))
            {
                Next();
                var unit = DurationUnit()!;
                return new DurationArg(token, new Duration(decimal.Parse(token.Text, CultureInfo.InvariantCulture), unit));
            }

            return new NumberArg(token, NumberExpression());
        }

        private static bool IsNow(Token token) => token.Is("now");

        private void ReadNow()
        {
            Next();
            Expect(TokenKind.LParen, "'(' after now", "write now()");
            Expect(TokenKind.RParen, "')' after now(", "write now()");
        }

        private static bool IsDurationUnit(Token token) => token.Text is "days" or "hours" or "minutes" or "day" or "hour" or "minute";

        private string? DurationUnit()
        {
            if (Current.Kind != TokenKind.Identifier || !IsDurationUnit(Current))
            {
                return null;
            }

            var unit = Next().Text;
            return unit.EndsWith('s') ? unit : unit + "s";
        }

        private NumberOperand NumberExpression()
        {
            var left = NumberAtom();
            while (Current.Kind is TokenKind.Plus or TokenKind.Minus or TokenKind.Star or TokenKind.Slash)
            {
                var op = Next().Text[0];
                left = new BinaryNumber(op, left, NumberAtom());
            }

            return left;
        }

        private NumberOperand NumberAtom()
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.Number:
                    Next();
                    return new NumberLiteral(decimal.Parse(token.Text, CultureInfo.InvariantCulture));
                case TokenKind.Minus when Peek().Kind == TokenKind.Number:
                    Next();
                    return new NumberLiteral(-decimal.Parse(Next().Text, CultureInfo.InvariantCulture));
                case TokenKind.LParen:
                    Next();
                    var inner = NumberExpression();
                    Expect(TokenKind.RParen, "')'", "close the parenthesis");
                    return inner;
                case TokenKind.Identifier when token.IsIgnoreCase("NULL"):
                    Next();
                    return new NullNumber();
                case TokenKind.Identifier when Peek().Kind == TokenKind.LParen:
                    Next();
                    Next();
                    var arguments = new List<NumberOperand>();
                    if (Current.Kind != TokenKind.RParen)
                    {
                        do
                        {
                            arguments.Add(NumberExpression());
                        }
                        while (Current.Kind == TokenKind.Comma && Next() is not null);
                    }

                    Expect(TokenKind.RParen, "')' to close the function call", $"write {token.Text}(...)");
                    return new FunctionNumber(token.Text, arguments);
                default:
                    throw Error(token, $"Expected a value but found {token.Describe()}", "write a number, a quoted string, a date \"yyyy-MM-dd\", now(), NULL, EMPTY or WHITESPACES_ONLY");
            }
        }

        private ConditionKinds Classify(List<Operand> operands, ConditionOperator op, Token at)
        {
            if (op is ConditionOperator.Matches or ConditionOperator.NotMatches)
            {
                return ConditionKinds.String;
            }

            var kinds = operands.Where(o => o is not NullArg).Select(o => o switch
            {
                NumberArg => ConditionKinds.Number,
                StringArg => ConditionKinds.String,
                DateArg => ConditionKinds.Date,
                _ => ConditionKinds.Duration,
            }).Distinct().ToArray();
            if (kinds.Length > 1)
            {
                throw Error(at, $"The condition mixes {string.Join(" and ", kinds.Select(k => k.ToString().ToLowerInvariant() + "s"))}", "use values of one kind");
            }

            var kind = kinds.Length == 0 ? ConditionKinds.Number : kinds[0];
            if (op is ConditionOperator.Greater or ConditionOperator.GreaterOrEqual or ConditionOperator.Less or ConditionOperator.LessOrEqual or ConditionOperator.Between or ConditionOperator.NotBetween)
            {
                if (kind == ConditionKinds.String)
                {
                    throw Error(at, "Strings cannot be compared with <, >, or between", "use =, in [...] or matches for strings");
                }

                if (operands.Any(o => o is NullArg))
                {
                    throw Error(at, "NULL cannot be compared with <, > or between", "use = NULL or != NULL");
                }
            }

            return kind;
        }

        private Condition Build(ConditionKinds kind, ConditionOperator op, List<Operand> operands, Token at)
        {
            var location = Loc(at);
            return kind switch
            {
                ConditionKinds.Number => new NumberCondition(location, op, operands.Select(o => o is NumberArg n ? n.Value : new NullNumber()).ToArray()),
                ConditionKinds.String => new StringCondition(location, op, operands.Select(o => o is StringArg s ? s.Value : new NullString()).ToArray()),
                ConditionKinds.Date => new DateCondition(location, op, operands.Select(o => o is DateArg d ? d.Value : new NullDate()).ToArray()),
                _ => operands.Any(o => o is NullArg)
                    ? throw Error(at, "A duration condition cannot contain NULL", "write e.g. <= 24 hours")
                    : new DurationCondition(location, op, operands.Select(o => ((DurationArg)o).Value).ToArray()),
            };
        }

        // ----- Per-rule checks ----------------------------------------------------------

        private void Check(SimpleRule rule, Token at)
        {
            switch (rule.Type.Name)
            {
                case "ColumnDataType":
                    if (rule.Condition is not StringCondition { Operator: ConditionOperator.Equal or ConditionOperator.NotEqual, Operands: [StringValue type] })
                    {
                        throw Error(at, "ColumnDataType takes = \"TYPE\" or != \"TYPE\"", "write ColumnDataType \"col\" = \"INTEGER\" (BOOLEAN, DATE, TIMESTAMP, INTEGER, DOUBLE, FLOAT, LONG or DECIMAL(p,s))", "DQDL-RULE");
                    }

                    if (!DataTypes.Contains(type.Value, StringComparer.OrdinalIgnoreCase) && !DecimalType().IsMatch(type.Value))
                    {
                        throw Error(at, $"ColumnDataType does not know the type \"{type.Value}\"", "use BOOLEAN, DATE, TIMESTAMP, INTEGER, DOUBLE, FLOAT, LONG or DECIMAL(p,s)", "DQDL-RULE");
                    }

                    break;
                case "ColumnValues" when rule.Condition is NumberCondition number && number.Operands.Any(o => o is not (NumberLiteral or NullNumber)):
                    throw Error(at, "ColumnValues compares with literal numbers only", "write the number out (arithmetic is for metric conditions)", "DQDL-RULE");
                case "ColumnLength" when rule.Condition is NumberCondition length && length.Operands.Any(o => o is not NumberLiteral):
                    throw Error(at, "ColumnLength compares with whole numbers only", "write e.g. ColumnLength \"zip\" = 5", "DQDL-RULE");
                case "ReferentialIntegrity":
                    if (!rule.Arguments[1].Contains('.', StringComparison.Ordinal))
                    {
                        throw Error(at, "The reference of ReferentialIntegrity must name a dataset alias", "write \"reference.column\" or \"reference.{col1,col2}\"", "DQDL-RULE");
                    }

                    break;
                case "AggregateMatch":
                    foreach (var expression in rule.Arguments)
                    {
                        if (!Regex.IsMatch(expression, @"^\s*(sum|avg|SUM|AVG)\s*\(.+\)\s*$", RegexOptions.CultureInvariant))
                        {
                            throw Error(at, $"AggregateMatch takes sum(...) or avg(...) expressions, not \"{expression}\"", "write AggregateMatch \"sum(amount)\" \"sum(reference.amount)\" > 0.9", "DQDL-RULE");
                        }
                    }

                    break;
                case "CustomSql" when string.IsNullOrWhiteSpace(rule.Arguments[0]):
                    throw Error(at, "CustomSql needs a SQL statement", "write CustomSql \"select count(*) from primary\" > 0", "DQDL-RULE");
            }
        }

        private string Slice(Token start, Token end) => text[start.Start..end.End].Trim();
    }
}
