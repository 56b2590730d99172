using System.Globalization;
using System.Text.Json.Nodes;

namespace GluePipeline.Aws;

/// <summary>
/// An AWS service's API model as botocore publishes it (<c>botocore/data/&lt;service&gt;/&lt;version&gt;/service-2.json</c>,
/// Debian's <c>python3-botocore</c>): its operations and shapes, used to check that what our clients
/// send - and what the test fake answers - has exactly the shape AWS defines.
/// </summary>
public sealed class AwsServiceModel
{
    /// <summary>Where Debian's python3-botocore keeps the models.</summary>
    public const string DebianModels = "/usr/lib/python3/dist-packages/botocore/data";

    private readonly JsonObject _operations;
    private readonly JsonObject _shapes;

    private AwsServiceModel(string service, JsonObject model)
    {
        Service = service;
        Metadata = model["metadata"]!.AsObject();
        _operations = model["operations"]!.AsObject();
        _shapes = model["shapes"]!.AsObject();
    }

    /// <summary>The service's name (the models' folder, e.g. <c>glue</c>).</summary>
    public string Service { get; }

    /// <summary>The model's metadata (protocol, targetPrefix, apiVersion, ...).</summary>
    public JsonObject Metadata { get; }

    /// <summary>The wire protocol: json, query, rest-xml, rest-json.</summary>
    public string Protocol => (string)Metadata["protocol"]!;

    /// <summary>Loads the newest model of a service, or null when botocore's models are not installed.</summary>
    public static AwsServiceModel? Find(string service, string? modelsRoot = null)
    {
        var folder = Path.Combine(modelsRoot ?? DebianModels, service);
        var version = Directory.Exists(folder) ? Directory.GetDirectories(folder).Order(StringComparer.Ordinal).LastOrDefault() : null;
        var file = version is null ? null : Path.Combine(version, "service-2.json");
        return file is not null && File.Exists(file) ? new AwsServiceModel(service, JsonNode.Parse(File.ReadAllText(file))!.AsObject()) : null;
    }

    /// <summary>Whether the service has the operation.</summary>
    public bool HasOperation(string operation) => _operations.ContainsKey(operation);

    /// <summary>
    /// A Query-protocol request's form fields (<c>Parameters.member.1.ParameterKey=...</c>) read back
    /// into the structured members the operation's input shape defines, typed by it; keys the shape
    /// does not know and values that do not parse are reported.
    /// </summary>
    public JsonObject FromQuery(string operation, IEnumerable<KeyValuePair<string, string>> form, List<string> problems)
    {
        var tree = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (key, value) in form.Where(f => f.Key is not "Action" and not "Version"))
        {
            var node = tree;
            var parts = key.Split('.');
            for (var i = 0; i < parts.Length - 1; i++)
            {
                node = (Dictionary<string, object>)(node.TryGetValue(parts[i], out var child) && child is Dictionary<string, object> d ? d : node[parts[i]] = new Dictionary<string, object>(StringComparer.Ordinal));
            }

            node[parts[^1]] = value;
        }

        if (_operations[operation]?["input"]?["shape"] is not JsonValue input)
        {
            return [];
        }

        return Typed((string)input!, tree, operation + " input", problems) as JsonObject ?? [];
    }

    private JsonNode? Typed(string shapeName, object raw, string path, List<string> problems)
    {
        var shape = _shapes[shapeName]!.AsObject();
        var type = (string)shape["type"]!;
        switch (type)
        {
            case "structure" when raw is Dictionary<string, object> fields:
                var members = shape["members"]!.AsObject();
                var obj = new JsonObject();
                foreach (var (name, value) in fields)
                {
                    if (members[name] is JsonObject member)
                    {
                        obj[name] = Typed((string)member["shape"]!, value, $"{path}.{name}", problems);
                    }
                    else
                    {
                        problems.Add($"{path}: unknown member {name}");
                    }
                }

                return obj;
            case "list" when raw is Dictionary<string, object> { Count: 1 } wrapper && wrapper.TryGetValue("member", out var items) && items is Dictionary<string, object> numbered:
                var list = new JsonArray();
                foreach (var (index, item) in numbered.OrderBy(i => int.TryParse(i.Key, out var n) ? n : int.MaxValue))
                {
                    list.Add(Typed((string)shape["member"]!["shape"]!, item, $"{path}[{index}]", problems));
                }

                return list;
            case "list" when raw is string { Length: 0 }:
                return new JsonArray();
            case "map" when raw is Dictionary<string, object> { Count: 1 } entries && entries.TryGetValue("entry", out var e) && e is Dictionary<string, object> pairs:
                var map = new JsonObject();
                foreach (var pair in pairs.Values.OfType<Dictionary<string, object>>())
                {
                    map[(string)pair["key"]] = Typed((string)shape["value"]!["shape"]!, pair["value"], $"{path}[{pair["key"]}]", problems);
                }

                return map;
            case "integer" or "long" when raw is string text:
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
                {
                    return JsonValue.Create(n);
                }

                problems.Add($"{path}: '{text}' is not a whole number");
                return null;
            case "double" or "float" when raw is string text:
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                {
                    return JsonValue.Create(d);
                }

                problems.Add($"{path}: '{text}' is not a number");
                return null;
            case "boolean" when raw is string text:
                if (text is "true" or "false")
                {
                    return JsonValue.Create(text == "true");
                }

                problems.Add($"{path}: '{text}' is not true or false");
                return null;
            case "string" or "timestamp" or "blob" when raw is string text:
                return JsonValue.Create(text);
            default:
                problems.Add($"{path}: the form's shape does not fit {type} {shapeName}");
                return null;
        }
    }

    /// <summary>What is wrong with an operation's input (members in their structured form), empty when nothing.</summary>
    public IReadOnlyList<string> ValidateInput(string operation, JsonNode? input) => Validate(operation, "input", input);

    /// <summary>What is wrong with an operation's output, empty when nothing.</summary>
    public IReadOnlyList<string> ValidateOutput(string operation, JsonNode? output) => Validate(operation, "output", output);

    /// <summary>The name of an error shape the operation may return, or null when it declares none by that name.</summary>
    public bool DeclaresError(string operation, string code) =>
        _operations[operation]?["errors"] is JsonArray errors && errors.Any(e => (string?)e?["shape"] == code);

    private List<string> Validate(string operation, string direction, JsonNode? value)
    {
        var problems = new List<string>();
        if (_operations[operation] is not JsonObject op)
        {
            problems.Add($"{Service} has no operation {operation}");
            return problems;
        }

        if (op[direction]?["shape"] is not JsonValue shape)
        {
            if (value is JsonObject { Count: > 0 })
            {
                problems.Add($"{operation} has no {direction}, but members were given");
            }

            return problems;
        }

        Check((string)shape!, value ?? new JsonObject(), $"{operation} {direction}", problems);
        return problems;
    }

    private void Check(string shapeName, JsonNode? value, string path, List<string> problems)
    {
        var shape = _shapes[shapeName]!.AsObject();
        var type = (string)shape["type"]!;
        if (value is null)
        {
            return;
        }

        switch (type)
        {
            case "structure":
                if (value is not JsonObject obj)
                {
                    problems.Add($"{path}: expected a structure ({shapeName})");
                    return;
                }

                var members = shape["members"]!.AsObject();
                foreach (var required in shape["required"]?.AsArray().Select(r => (string)r!) ?? [])
                {
                    if (obj[required] is null)
                    {
                        problems.Add($"{path}: missing required member {required}");
                    }
                }

                foreach (var (name, member) in obj)
                {
                    if (members[name] is not JsonObject definition)
                    {
                        problems.Add($"{path}: unknown member {name} (the members are {string.Join(", ", members.Select(m => m.Key))})");
                        continue;
                    }

                    Check((string)definition["shape"]!, member, $"{path}.{name}", problems);
                }

                break;
            case "list":
                if (value is not JsonArray list)
                {
                    problems.Add($"{path}: expected a list ({shapeName})");
                    return;
                }

                Range(shape, list.Count, path, "items", problems);
                for (var i = 0; i < list.Count; i++)
                {
                    Check((string)shape["member"]!["shape"]!, list[i], $"{path}[{i}]", problems);
                }

                break;
            case "map":
                if (value is not JsonObject map)
                {
                    problems.Add($"{path}: expected a map ({shapeName})");
                    return;
                }

                foreach (var (key, item) in map)
                {
                    Check((string)shape["key"]!["shape"]!, JsonValue.Create(key), $"{path} key", problems);
                    Check((string)shape["value"]!["shape"]!, item, $"{path}[{key}]", problems);
                }

                break;
            case "string":
                if (value is not JsonValue text || !text.TryGetValue<string>(out var s))
                {
                    problems.Add($"{path}: expected a string ({shapeName})");
                    return;
                }

                if (shape["enum"] is JsonArray values && !values.Any(v => (string?)v == s))
                {
                    problems.Add($"{path}: '{s}' is not one of {string.Join(", ", values.Select(v => (string?)v))}");
                }

                Range(shape, s.Length, path, "characters", problems);
                break;
            case "integer" or "long":
                if (value is not JsonValue number || !WholeNumber(number, out var n))
                {
                    problems.Add($"{path}: expected a whole number ({shapeName})");
                    return;
                }

                Range(shape, n, path, "value", problems);
                break;
            case "double" or "float":
                if (value is not JsonValue d || d.GetValueKind() != System.Text.Json.JsonValueKind.Number)
                {
                    problems.Add($"{path}: expected a number ({shapeName})");
                }

                break;
            case "boolean":
                if (value is not JsonValue b || !b.TryGetValue<bool>(out _))
                {
                    problems.Add($"{path}: expected true or false ({shapeName})");
                }

                break;
            case "timestamp":
                if (value is not JsonValue t || !(t.GetValueKind() == System.Text.Json.JsonValueKind.Number || (t.TryGetValue<string>(out var iso) && DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))))
                {
                    problems.Add($"{path}: expected a timestamp ({shapeName})");
                }

                break;
            case "blob":
                if (value is not JsonValue blob || !blob.TryGetValue<string>(out _))
                {
                    problems.Add($"{path}: expected base64 text ({shapeName})");
                }

                break;
        }
    }

    /// <summary>A JSON number without a fraction, whether it was parsed from text or built in memory from an int or a long.</summary>
    private static bool WholeNumber(JsonValue value, out long number)
    {
        number = 0;
        if (value.GetValueKind() != System.Text.Json.JsonValueKind.Number)
        {
            return false;
        }

        if (value.TryGetValue(out long asLong))
        {
            number = asLong;
            return true;
        }

        if (value.TryGetValue(out int asInt))
        {
            number = asInt;
            return true;
        }

        return decimal.TryParse(value.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole) && whole is >= long.MinValue and <= long.MaxValue && (number = (long)whole) == whole;
    }

    private static void Range(JsonObject shape, long value, string path, string what, List<string> problems)
    {
        if (shape["min"] is JsonValue min && value < (long)min.GetValue<double>())
        {
            problems.Add($"{path}: {value} {what}, below the minimum {min}");
        }

        if (shape["max"] is JsonValue max && value > (long)max.GetValue<double>())
        {
            problems.Add($"{path}: {value} {what}, above the maximum {max}");
        }
    }
}
