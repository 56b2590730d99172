using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using GluePipeline.Aws;

namespace GluePipeline.Tests.Support;

/// <summary>A REST request mapped to its operation: the URI labels and the query parameters as sent.</summary>
/// <param name="Operation">The operation.</param>
/// <param name="Labels">The URI labels (<c>Bucket</c>, <c>Key</c>), unescaped.</param>
/// <param name="Query">The query parameters, unescaped, in order (a key without <c>=</c> has a null value).</param>
/// <param name="Literals">The query keys the operation's request URI names itself (<c>versions</c>, <c>delete</c>).</param>
internal sealed record RestXmlRoute(string Operation, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<KeyValuePair<string, string?>> Query, IReadOnlySet<string> Literals);

/// <summary>
/// botocore's REST-XML description of a service (S3), read from the same <c>service-2.json</c> as
/// <see cref="AwsServiceModel"/>: which operation a method, path and query name (<c>http.method</c> and
/// <c>http.requestUri</c>, the most specific match), the structured input botocore describes read back
/// from the wire (members by <c>location</c> and <c>locationName</c>, the XML payload by the shapes),
/// and an output written as S3 writes it (header members as headers, the rest as XML in S3's namespace).
/// </summary>
internal sealed partial class RestXmlProtocol
{
    /// <summary>The root elements S3 gives the answers whose output shape names none.</summary>
    private static readonly Dictionary<string, string> Roots = new(StringComparer.Ordinal)
    {
        ["ListObjectVersions"] = "ListVersionsResult",
        ["ListObjects"] = "ListBucketResult",
        ["ListObjectsV2"] = "ListBucketResult",
        ["ListBuckets"] = "ListAllMyBucketsResult",
        ["DeleteObjects"] = "DeleteResult",
        ["CreateMultipartUpload"] = "InitiateMultipartUploadResult",
        ["CompleteMultipartUpload"] = "CompleteMultipartUploadResult",
        ["ListMultipartUploads"] = "ListMultipartUploadsResult",
        ["ListParts"] = "ListPartsResult",
        ["GetBucketVersioning"] = "VersioningConfiguration",
        ["GetBucketTagging"] = "Tagging",
        ["GetObjectTagging"] = "Tagging",
        ["GetBucketAcl"] = "AccessControlPolicy",
        ["GetObjectAcl"] = "AccessControlPolicy",
        ["GetBucketLifecycleConfiguration"] = "LifecycleConfiguration",
        ["GetBucketCors"] = "CORSConfiguration",
        ["GetBucketLocation"] = "LocationConstraint",
    };

    private static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    private readonly JsonObject _operations;
    private readonly JsonObject _shapes;
    private readonly XNamespace _ns;
    private readonly string _signingName;

    private RestXmlProtocol(JsonObject model)
    {
        _operations = model["operations"]!.AsObject();
        _shapes = model["shapes"]!.AsObject();
        var metadata = model["metadata"]!.AsObject();
        _ns = (string?)metadata["xmlNamespace"] ?? $"http://{(string?)metadata["endpointPrefix"]}.amazonaws.com/doc/{(string?)metadata["apiVersion"]}/";
        _signingName = (string?)metadata["signingName"] ?? (string)metadata["endpointPrefix"]!;
    }

    /// <summary>Reads the newest model of a service (where <see cref="AwsServiceModel.Find"/> reads it), or null.</summary>
    public static RestXmlProtocol? Load(string service)
    {
        var folder = Path.Combine(AwsServiceModel.DebianModels, service);
        var version = Directory.Exists(folder) ? Directory.GetDirectories(folder).Order(StringComparer.Ordinal).LastOrDefault() : null;
        var file = version is null ? null : Path.Combine(version, "service-2.json");
        return file is not null && File.Exists(file) ? new RestXmlProtocol(JsonNode.Parse(File.ReadAllText(file))!.AsObject()) : null;
    }

    /// <summary>
    /// The operation a request names: its method, its path against the request URI's (path-style:
    /// <c>/{Bucket}/{Key+}</c>, the greedy label taking the rest), and the request URI's literal query
    /// keys all present. Of several, the one with more literal query keys, then the one whose required
    /// query and header members are all there, then one not deprecated.
    /// </summary>
    public RestXmlRoute? Route(string method, string target, IReadOnlyDictionary<string, string> headers)
    {
        var split = target.IndexOf('?', StringComparison.Ordinal);
        var segments = Segments(split < 0 ? target : target[..split]);
        var query = (split < 0 ? string.Empty : target[(split + 1)..]).Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => new KeyValuePair<string, string?>(Unescape(p[0]), p.Length > 1 ? Unescape(p[1]) : null))
            .ToArray();
        var candidates = new List<(RestXmlRoute Route, int Literals, int Present, int Missing, bool Deprecated)>();
        foreach (var (name, node) in _operations)
        {
            var http = node!["http"]!;
            if (!string.Equals((string?)http["method"], method, StringComparison.Ordinal))
            {
                continue;
            }

            var uri = (string)http["requestUri"]!;
            var mark = uri.IndexOf('?', StringComparison.Ordinal);
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (!Matches(Segments(mark < 0 ? uri : uri[..mark]), segments, labels))
            {
                continue;
            }

            var literals = (mark < 0 ? string.Empty : uri[(mark + 1)..]).Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).ToArray();
            if (!literals.All(l => query.Any(q => q.Key == l[0] && (l.Length == 1 || q.Value == l[1]))))
            {
                continue;
            }

            var (present, missing) = (0, 0);
            if (node["input"]?["shape"] is JsonValue input)
            {
                var shape = Shape((string)input!);
                foreach (var required in shape["required"]?.AsArray().Select(r => (string)r!) ?? [])
                {
                    var member = shape["members"]![required]!;
                    var where = (string?)member["locationName"] ?? required;
                    var found = (string?)member["location"] switch
                    {
                        "querystring" => query.Any(q => q.Key == where),
                        "header" => headers.ContainsKey(where),
                        _ => (bool?)null,
                    };
                    present += found == true ? 1 : 0;
                    missing += found == false ? 1 : 0;
                }
            }

            var route = new RestXmlRoute(name, labels, query, literals.Select(l => l[0]).ToHashSet(StringComparer.Ordinal));
            candidates.Add((route, literals.Length, present, missing, (bool?)node["deprecated"] == true));
        }

        return candidates.OrderByDescending(c => c.Literals).ThenBy(c => c.Missing).ThenByDescending(c => c.Present).ThenBy(c => c.Deprecated).Select(c => c.Route).FirstOrDefault();
    }

    /// <summary>The structured input botocore describes: URI labels, query, headers, and the payload (XML, or a blob's length).</summary>
    public JsonObject Input(RestXmlRoute route, IReadOnlyDictionary<string, string> headers, byte[] payload, List<string> problems)
    {
        var input = new JsonObject();
        var operation = route.Operation;
        if (_operations[operation]!["input"]?["shape"] is not JsonValue shapeName)
        {
            if (payload.Length > 0)
            {
                problems.Add($"{operation} takes no input, but a body of {payload.Length} bytes was sent");
            }

            return input;
        }

        var shape = Shape((string)shapeName!);
        var members = shape["members"]!.AsObject();
        var claimed = new HashSet<string>(route.Literals, StringComparer.Ordinal);
        foreach (var (name, node) in members)
        {
            var member = node!.AsObject();
            var where = (string?)member["locationName"] ?? name;
            var memberShape = (string)member["shape"]!;
            var path = $"{operation} input.{name}";
            switch ((string?)member["location"])
            {
                case "uri" when route.Labels.TryGetValue(where, out var label):
                    input[name] = Scalar(memberShape, label, path, problems);
                    break;
                case "querystring" when (string)Shape(memberShape)["type"]! == "list":
                    var values = route.Query.Where(q => q.Key == where).Select(q => Scalar((string)Shape(memberShape)["member"]!["shape"]!, q.Value ?? string.Empty, path, problems)).ToArray();
                    if (values.Length > 0)
                    {
                        claimed.Add(where);
                        input[name] = new JsonArray(values);
                    }

                    break;
                case "querystring" when route.Query.Any(q => q.Key == where):
                    claimed.Add(where);
                    input[name] = Scalar(memberShape, route.Query.First(q => q.Key == where).Value ?? string.Empty, path, problems);
                    break;
                case "header" when headers.TryGetValue(where, out var header):
                    input[name] = (string)Shape(memberShape)["type"]! == "list"
                        ? new JsonArray(header.Split(',').Select(h => Scalar((string)Shape(memberShape)["member"]!["shape"]!, h.Trim(), path, problems)).ToArray())
                        : Scalar(memberShape, header, path, problems);
                    break;
                case "headers":
                    var prefixed = headers.Where(h => h.Key.StartsWith(where, StringComparison.OrdinalIgnoreCase)).ToArray();
                    if (prefixed.Length > 0)
                    {
                        input[name] = new JsonObject(prefixed.Select(h => new KeyValuePair<string, JsonNode?>(h.Key[where.Length..], h.Value)));
                    }

                    break;
            }
        }

        foreach (var unknown in route.Query.Select(q => q.Key).Where(k => !claimed.Contains(k)).Distinct(StringComparer.Ordinal))
        {
            problems.Add($"{operation}: unknown query parameter {unknown}");
        }

        if (payload.Length == 0)
        {
            return input;
        }

        if ((string?)shape["payload"] is { } payloadName)
        {
            var member = members[payloadName]!.AsObject();
            var payloadShape = Shape((string)member["shape"]!);
            switch ((string)payloadShape["type"]!)
            {
                case "blob":
                    input[payloadName] = string.Create(CultureInfo.InvariantCulture, $"<{payload.Length} bytes>");
                    break;
                case "string":
                    input[payloadName] = Encoding.UTF8.GetString(payload);
                    break;
                default:
                    var root = Parse(operation, payload, problems);
                    if (root is null)
                    {
                        break;
                    }

                    var expected = (string?)member["locationName"] ?? (string?)payloadShape["locationName"] ?? payloadName;
                    if (root.Name.LocalName != expected)
                    {
                        problems.Add($"{operation} input: the payload's root element is {root.Name.LocalName}, not {expected}");
                    }

                    var ns = (string?)member["xmlNamespace"]?["uri"] ?? (string?)payloadShape["xmlNamespace"]?["uri"];
                    if (ns is not null && root.Name.NamespaceName.Length > 0 && root.Name.NamespaceName != ns)
                    {
                        problems.Add($"{operation} input: the payload's namespace is {root.Name.NamespaceName}, not {ns}");
                    }

                    input[payloadName] = FromXml((string)member["shape"]!, root, $"{operation} input.{payloadName}", problems);
                    break;
            }
        }
        else if (members.Any(m => m.Value!["location"] is null))
        {
            if (Parse(operation, payload, problems) is { } root && FromXml((string)shapeName!, root, $"{operation} input", problems) is JsonObject body)
            {
                foreach (var (name, value) in body)
                {
                    input[name] = value?.DeepClone();
                }
            }
        }
        else
        {
            problems.Add($"{operation} has no payload, but a body of {payload.Length} bytes was sent");
        }

        return input;
    }

    /// <summary>
    /// What S3 refuses before it looks at the input: an unsigned request, or one signed for another
    /// service; an <c>x-amz-*</c> header left out of the signature; an <c>x-amz-content-sha256</c> that is
    /// missing or not the body's SHA-256; a <c>Content-MD5</c> that is not the body's; and an operation
    /// whose model requires a checksum (DeleteObjects) sent without Content-MD5 or an x-amz-checksum-* header.
    /// </summary>
    public IEnumerable<string> Integrity(string operation, IReadOnlyDictionary<string, string> headers, byte[] payload)
    {
        if (!headers.TryGetValue("Authorization", out var authorization))
        {
            yield return $"{operation}: the request is not signed (no Authorization header)";
        }
        else
        {
            var scope = CredentialScope().Match(authorization);
            if (!scope.Success || scope.Groups["service"].Value != _signingName)
            {
                yield return $"{operation}: the request is not signed for {_signingName} ({authorization})";
            }

            var signed = SignedHeaders().Match(authorization) is { Success: true } list ? list.Groups["headers"].Value.Split(';') : [];
            foreach (var unsigned in headers.Keys.Where(h => h.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase) && !signed.Contains(h, StringComparer.OrdinalIgnoreCase)))
            {
                yield return $"{operation}: the header {unsigned} is sent but not signed (S3: There were headers present in the request which were not signed)";
            }
        }

        var sha256 = Convert.ToHexStringLower(SHA256.HashData(payload));
        if (!headers.TryGetValue("x-amz-content-sha256", out var declared))
        {
            yield return $"{operation}: no x-amz-content-sha256 header (S3's SigV4 requires it)";
        }
        else if (declared != sha256)
        {
            yield return $"{operation}: x-amz-content-sha256 is {declared}, but the body's SHA-256 is {sha256}";
        }

        var md5 = headers.TryGetValue("Content-MD5", out var contentMd5) ? contentMd5 : null;
        if (md5 is not null && md5 != Convert.ToBase64String(MD5.HashData(payload)))
        {
            yield return $"{operation}: Content-MD5 {md5} is not the body's MD5 (S3 answers BadDigest)";
        }

        if ((bool?)_operations[operation]!["httpChecksum"]?["requestChecksumRequired"] == true && md5 is null && !headers.Keys.Any(h => h.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase)))
        {
            yield return $"{operation}: the model requires a checksum, but neither Content-MD5 nor an x-amz-checksum-* header was sent";
        }
    }

    /// <summary>An output as S3 writes it: the status (the operation's responseCode), header members as headers, the body as XML (or the raw payload).</summary>
    public (int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body) Output(string operation, JsonObject output)
    {
        var op = _operations[operation]!;
        var status = (int?)op["http"]!["responseCode"] ?? 200;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (op["output"]?["shape"] is not JsonValue shapeName)
        {
            return (status, headers, []);
        }

        var shape = Shape((string)shapeName!);
        var members = shape["members"]!.AsObject();
        foreach (var (name, value) in output)
        {
            var member = members[name]!;
            var where = (string?)member["locationName"] ?? name;
            switch ((string?)member["location"])
            {
                case "header":
                    headers[where] = value is JsonArray items ? string.Join(",", items.Select(Text)) : Text(value);
                    break;
                case "headers":
                    foreach (var (key, item) in value!.AsObject())
                    {
                        headers[where + key] = Text(item);
                    }

                    break;
                case "statusCode":
                    status = (int)value!;
                    break;
            }
        }

        if ((string?)shape["payload"] is { } payloadName)
        {
            var member = members[payloadName]!;
            return output[payloadName] switch
            {
                null => (status, headers, []),
                JsonObject structure => (status, headers, Xml(new XElement(_ns + ((string?)member["locationName"] ?? payloadName), Members((string)member["shape"]!, structure)))),
                // A blob (GetObject's Body) is scripted as base64, the structured form of bytes; a string payload as text.
                var raw => (status, headers, (string?)Shape((string)member["shape"]!)["type"] == "blob" ? Convert.FromBase64String(Text(raw)) : Encoding.UTF8.GetBytes(Text(raw))),
            };
        }

        if (!members.Any(m => m.Value!["location"] is null))
        {
            return (status, headers, []);
        }

        var root = (string?)shape["locationName"] ?? (Roots.TryGetValue(operation, out var known) ? known : operation + "Result");
        return (status, headers, Xml(new XElement(_ns + root, Members((string)shapeName!, output))));
    }

    [GeneratedRegex(@"Credential=[^/,\s]+/\d{8}/[^/]+/(?<service>[^/]+)/aws4_request")]
    private static partial Regex CredentialScope();

    [GeneratedRegex(@"SignedHeaders=(?<headers>[^,\s]+)")]
    private static partial Regex SignedHeaders();

    private static string[] Segments(string path) => path.Length <= 1 ? [] : path[1..].Split('/');

    private static string Unescape(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    private static byte[] Xml(XElement root) => Encoding.UTF8.GetBytes(new XDeclaration("1.0", "UTF-8", null) + root.ToString(SaveOptions.DisableFormatting));

    /// <summary>Whether a path fits a request URI's path (<c>{Label}</c> one segment, <c>{Label+}</c> the rest); the labels unescaped.</summary>
    private static bool Matches(string[] template, string[] segments, Dictionary<string, string> labels)
    {
        for (var i = 0; i < template.Length; i++)
        {
            var part = template[i];
            if (part.StartsWith('{') && part.EndsWith("+}", StringComparison.Ordinal))
            {
                var rest = string.Join('/', segments.Skip(i).Select(s => Uri.UnescapeDataString(s)));
                labels[part[1..^2]] = rest;
                return rest.Length > 0 && i == template.Length - 1;
            }

            if (i >= segments.Length)
            {
                return false;
            }

            if (part.StartsWith('{') && part.EndsWith('}'))
            {
                if (segments[i].Length == 0)
                {
                    return false;
                }

                labels[part[1..^1]] = Uri.UnescapeDataString(segments[i]);
            }
            else if (part != segments[i])
            {
                return false;
            }
        }

        return template.Length == segments.Length;
    }

    private static XElement? Parse(string operation, byte[] payload, List<string> problems)
    {
        try
        {
            return XDocument.Parse(Encoding.UTF8.GetString(payload)).Root;
        }
        catch (System.Xml.XmlException ex)
        {
            problems.Add($"{operation} input: the body is not XML: {ex.Message}");
            return null;
        }
    }

    private static string Text(JsonNode? value) => value switch
    {
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        null => string.Empty,
        _ => value.ToJsonString(),
    };

    private JsonObject Shape(string name) => _shapes[name]!.AsObject();

    /// <summary>The XML name of a structure member: a flattened list's items take the list member's name first.</summary>
    private string ElementName(string name, JsonNode member)
    {
        var shape = Shape((string)member["shape"]!);
        var flattened = (bool?)shape["flattened"] == true || (bool?)member["flattened"] == true;
        return (flattened && (string)shape["type"]! is "list" ? (string?)shape["member"]!["locationName"] : null) ?? (string?)member["locationName"] ?? name;
    }

    /// <summary>An XML element read into the structured form its shape describes; elements the shape does not know are reported.</summary>
    private JsonNode? FromXml(string shapeName, XElement element, string path, List<string> problems)
    {
        var shape = Shape(shapeName);
        switch ((string)shape["type"]!)
        {
            case "structure":
                var obj = new JsonObject();
                var known = new HashSet<string>(StringComparer.Ordinal);
                foreach (var (name, node) in shape["members"]!.AsObject().Where(m => m.Value!["location"] is null))
                {
                    var member = node!;
                    var memberShape = Shape((string)member["shape"]!);
                    var xmlName = ElementName(name, member);
                    if ((bool?)member["xmlAttribute"] == true)
                    {
                        var local = xmlName.Split(':')[^1];
                        if (element.Attributes().FirstOrDefault(a => a.Name.LocalName == local) is { } attribute)
                        {
                            obj[name] = Scalar((string)member["shape"]!, attribute.Value, $"{path}.{name}", problems);
                        }

                        continue;
                    }

                    known.Add(xmlName);
                    var children = element.Elements().Where(e => e.Name.LocalName == xmlName).ToArray();
                    if (children.Length == 0)
                    {
                        continue;
                    }

                    var flattened = (bool?)memberShape["flattened"] == true || (bool?)member["flattened"] == true;
                    obj[name] = (string)memberShape["type"]! switch
                    {
                        "list" when flattened => new JsonArray(children.Select((c, i) => FromXml((string)memberShape["member"]!["shape"]!, c, $"{path}.{name}[{i}]", problems)).ToArray()),
                        "map" when flattened => Entries(memberShape, children, $"{path}.{name}", problems),
                        _ => FromXml((string)member["shape"]!, children[0], $"{path}.{name}", problems),
                    };
                    if (children.Length > 1 && !flattened)
                    {
                        problems.Add($"{path}: {children.Length} {xmlName} elements, but {name} is not a list");
                    }
                }

                foreach (var unknown in element.Elements().Select(e => e.Name.LocalName).Where(n => !known.Contains(n)).Distinct(StringComparer.Ordinal))
                {
                    problems.Add($"{path}: unknown element {unknown}");
                }

                return obj;
            case "list":
                var item = (string?)shape["member"]!["locationName"] ?? "member";
                foreach (var unknown in element.Elements().Select(e => e.Name.LocalName).Where(n => n != item).Distinct(StringComparer.Ordinal))
                {
                    problems.Add($"{path}: unknown element {unknown} (the items are {item})");
                }

                return new JsonArray(element.Elements().Where(e => e.Name.LocalName == item).Select((c, i) => FromXml((string)shape["member"]!["shape"]!, c, $"{path}[{i}]", problems)).ToArray());
            case "map":
                return Entries(shape, element.Elements().Where(e => e.Name.LocalName == "entry"), path, problems);
            default:
                if (element.HasElements)
                {
                    problems.Add($"{path}: {(string)shape["type"]!} {shapeName} has child elements");
                }

                return Scalar(shapeName, element.Value, path, problems);
        }
    }

    private JsonObject Entries(JsonObject map, IEnumerable<XElement> entries, string path, List<string> problems)
    {
        var (keyName, valueName) = ((string?)map["key"]!["locationName"] ?? "key", (string?)map["value"]!["locationName"] ?? "value");
        var obj = new JsonObject();
        foreach (var entry in entries)
        {
            var key = entry.Elements().FirstOrDefault(e => e.Name.LocalName == keyName)?.Value ?? string.Empty;
            var value = entry.Elements().FirstOrDefault(e => e.Name.LocalName == valueName);
            obj[key] = value is null ? null : FromXml((string)map["value"]!["shape"]!, value, $"{path}[{key}]", problems);
        }

        return obj;
    }

    /// <summary>A text (label, query value, header, element) typed by its shape; what does not parse is reported.</summary>
    private JsonNode? Scalar(string shapeName, string text, string path, List<string> problems)
    {
        var type = (string)Shape(shapeName)["type"]!;
        switch (type)
        {
            case "integer" or "long":
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
                {
                    return JsonValue.Create(n);
                }

                problems.Add($"{path}: '{text}' is not a whole number");
                return null;
            case "double" or "float":
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                {
                    return JsonValue.Create(d);
                }

                problems.Add($"{path}: '{text}' is not a number");
                return null;
            case "boolean":
                if (text is "true" or "false")
                {
                    return JsonValue.Create(text == "true");
                }

                problems.Add($"{path}: '{text}' is not true or false");
                return null;
            case "string" or "timestamp" or "blob":
                return JsonValue.Create(text);
            default:
                problems.Add($"{path}: a text where {type} {shapeName} is expected");
                return null;
        }
    }

    /// <summary>A structure's members as XML, in the model's order (header members are not in the body).</summary>
    private IEnumerable<XObject> Members(string shapeName, JsonObject value)
    {
        foreach (var (name, node) in Shape(shapeName)["members"]!.AsObject())
        {
            var member = node!;
            if (member["location"] is not null || value[name] is not { } item)
            {
                continue;
            }

            var memberShape = Shape((string)member["shape"]!);
            var xmlName = ElementName(name, member);
            var flattened = (bool?)memberShape["flattened"] == true || (bool?)member["flattened"] == true;
            if ((bool?)member["xmlAttribute"] == true)
            {
                var parts = xmlName.Split(':');
                yield return new XAttribute(parts.Length == 2 && parts[0] == "xsi" ? Xsi + parts[1] : XName.Get(parts[^1]), Text(item));
            }
            else if ((string)memberShape["type"]! == "list" && flattened)
            {
                foreach (var entry in item.AsArray())
                {
                    yield return Element(xmlName, (string)memberShape["member"]!["shape"]!, entry);
                }
            }
            else if ((string)memberShape["type"]! == "map" && flattened)
            {
                foreach (var (key, entry) in item.AsObject())
                {
                    yield return new XElement(_ns + xmlName, MapEntry(memberShape, key, entry));
                }
            }
            else
            {
                yield return Element(xmlName, (string)member["shape"]!, item);
            }
        }
    }

    private XElement Element(string name, string shapeName, JsonNode? value)
    {
        var shape = Shape(shapeName);
        return (string)shape["type"]! switch
        {
            "structure" => new XElement(_ns + name, Members(shapeName, value!.AsObject())),
            "list" => new XElement(_ns + name, value!.AsArray().Select(i => Element((string?)shape["member"]!["locationName"] ?? "member", (string)shape["member"]!["shape"]!, i))),
            "map" => new XElement(_ns + name, value!.AsObject().Select(p => new XElement(_ns + "entry", MapEntry(shape, p.Key, p.Value)))),
            _ => new XElement(_ns + name, Text(value)),
        };
    }

    private XElement[] MapEntry(JsonObject map, string key, JsonNode? value) =>
    [
        new XElement(_ns + ((string?)map["key"]!["locationName"] ?? "key"), key),
        Element((string?)map["value"]!["locationName"] ?? "value", (string)map["value"]!["shape"]!, value),
    ];
}
