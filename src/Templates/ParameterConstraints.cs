using System.Globalization;
using System.Text.RegularExpressions;

namespace GluePipeline.Templates;

/// <summary>Checks a parameter value against the constraints the template declares, as CloudFormation does.</summary>
public static class ParameterConstraints
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Why a value breaks its parameter's constraints, or null when it does not.</summary>
    /// <param name="parameter">The parameter.</param>
    /// <param name="value">The value as given (lists comma-separated).</param>
    public static string? Violation(CfnParameter parameter, string value)
    {
        var because = parameter.ConstraintDescription is { Length: > 0 } description ? $" ({description})" : string.Empty;
        var elements = parameter.IsList ? value.Split(',') : [value];
        foreach (var element in elements)
        {
            if (parameter.IsNumeric)
            {
                if (!decimal.TryParse(element.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    return $"'{element}' is not a number, and {parameter.Name} is of type {parameter.Type}";
                }

                if (parameter.MinValue is { } min && number < min)
                {
                    return $"{element} is below MinValue {min}{because}";
                }

                if (parameter.MaxValue is { } max && number > max)
                {
                    return $"{element} is above MaxValue {max}{because}";
                }
            }

            if (parameter.AllowedValues is { } allowed && !allowed.Contains(element, StringComparer.Ordinal))
            {
                return $"'{element}' is not one of the AllowedValues [{string.Join(", ", allowed)}]{because}";
            }
        }

        if (parameter.IsNumeric || parameter.IsList)
        {
            return null;
        }

        if (parameter.AllowedPattern is { } pattern && CompilePattern(pattern) is { } regex && !IsFullMatch(regex, value))
        {
            return $"'{value}' does not match AllowedPattern {pattern}{because}";
        }

        if (parameter.MinLength is { } minLength && value.Length < minLength)
        {
            return $"'{value}' is shorter than MinLength {minLength}{because}";
        }

        if (parameter.MaxLength is { } maxLength && value.Length > maxLength)
        {
            return $"'{value}' is longer than MaxLength {maxLength}{because}";
        }

        return null;
    }

    /// <summary>Compiles an AllowedPattern as a full match (CloudFormation matches the whole value), or null when it is not a valid pattern.</summary>
    public static Regex? CompilePattern(string pattern)
    {
        try
        {
            return new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant, RegexTimeout);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static bool IsFullMatch(Regex regex, string value)
    {
        try
        {
            return regex.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
