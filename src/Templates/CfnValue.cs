using System.Globalization;
using System.Text.Json.Nodes;
using GluePipeline.Documents;

namespace GluePipeline.Templates;

/// <summary>A value after intrinsic functions have been resolved.</summary>
public abstract record CfnValue
{
    /// <summary>What <c>Ref AWS::NoValue</c> resolves to: the property or list item is left out.</summary>
    public static CfnValue NoValue { get; } = new CfnNoValue();

    /// <summary>A string value.</summary>
    public static CfnScalar String(string value) => new(value, ScalarKind.String);

    /// <summary>The value as JSON (numbers and booleans keep their type; NoValue becomes null).</summary>
    public abstract JsonNode? ToJson();

    /// <summary>The value as a string, for Sub, Join and names; lists and maps are not strings.</summary>
    public virtual string AsString() => throw new InvalidOperationException($"A {GetType().Name[3..].ToLowerInvariant()} is not a string.");

    /// <summary>The value as compact JSON text.</summary>
    public override string ToString() => ToJson()?.ToJsonString() ?? "null";
}

/// <summary>A scalar: a string, number, boolean or null as written.</summary>
public sealed record CfnScalar(string Value, ScalarKind Kind) : CfnValue
{
    /// <inheritdoc/>
    public override JsonNode? ToJson() => Kind switch
    {
        ScalarKind.Number when decimal.TryParse(Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
        ScalarKind.Boolean => JsonValue.Create(Value.Equals("true", StringComparison.OrdinalIgnoreCase)),
        ScalarKind.Null => null,
        _ => JsonValue.Create(Value),
    };

    /// <inheritdoc/>
    public override string AsString() => Kind == ScalarKind.Boolean ? Value.ToLowerInvariant() : Value;

    /// <inheritdoc/>
    public override string ToString() => base.ToString();
}

/// <summary>A list.</summary>
public sealed record CfnList(IReadOnlyList<CfnValue> Items) : CfnValue
{
    /// <inheritdoc/>
    public override JsonNode? ToJson() => new JsonArray(Items.Select(i => i.ToJson()).ToArray());

    /// <inheritdoc/>
    public bool Equals(CfnList? other) => other is not null && Items.SequenceEqual(other.Items);

    /// <inheritdoc/>
    public override int GetHashCode() => Items.Count;

    /// <inheritdoc/>
    public override string ToString() => base.ToString();
}

/// <summary>A mapping, in document order.</summary>
public sealed record CfnMap(IReadOnlyList<KeyValuePair<string, CfnValue>> Entries) : CfnValue
{
    /// <summary>The value of a key, or null.</summary>
    public CfnValue? this[string key] => Entries.FirstOrDefault(e => e.Key == key).Value;

    /// <inheritdoc/>
    public override JsonNode? ToJson()
    {
        var json = new JsonObject();
        foreach (var (key, value) in Entries)
        {
            json[key] = value.ToJson();
        }

        return json;
    }

    /// <inheritdoc/>
    public bool Equals(CfnMap? other) => other is not null && Entries.SequenceEqual(other.Entries);

    /// <inheritdoc/>
    public override int GetHashCode() => Entries.Count;

    /// <inheritdoc/>
    public override string ToString() => base.ToString();
}

/// <summary>The value of <c>Ref AWS::NoValue</c>.</summary>
public sealed record CfnNoValue : CfnValue
{
    /// <inheritdoc/>
    public override JsonNode? ToJson() => null;

    /// <inheritdoc/>
    public override string ToString() => "AWS::NoValue";
}
