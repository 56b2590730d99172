using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace GluePipeline.Aws;

/// <summary>
/// A thin client of an AWS Query-protocol service (CloudFormation): <c>POST /</c> with a form body
/// <c>Action=&lt;Op&gt;&amp;Version=&lt;api version&gt;</c> and the members flattened the Query way
/// (<c>Parameters.member.1.ParameterKey=...</c>, <c>Capabilities.member.1=...</c>); the XML answer comes
/// back as JSON in the same structured form the members went in (lists from <c>&lt;member&gt;</c>
/// elements; values as text). Signing, retries and errors as <see cref="AwsJsonClient"/>.
/// </summary>
/// <param name="http">The signing HTTP client, its BaseAddress the service endpoint.</param>
/// <param name="service">The service's name, for errors (e.g. <c>cloudformation</c>).</param>
/// <param name="version">The API version (CloudFormation: <c>2010-05-15</c>).</param>
/// <param name="retry">The retry policy.</param>
/// <param name="plan">In plan mode: where calls are recorded instead of sent.</param>
public sealed class AwsQueryClient(HttpClient http, string service, string version, AwsRetryPolicy? retry = null, AwsPlan? plan = null)
{
    private readonly AwsRetryPolicy _retry = retry ?? AwsRetryPolicy.Default;

    /// <summary>The form fields of a call: Action, Version and the flattened members.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Form(string operation, string version, JsonObject request)
    {
        var fields = new List<KeyValuePair<string, string>> { new("Action", operation), new("Version", version) };
        Flatten(string.Empty, request, fields);
        return fields;
    }

    /// <summary>The Query wire form of structured members (what the fake reads back).</summary>
    public static void Flatten(string prefix, JsonNode? node, List<KeyValuePair<string, string>> fields)
    {
        switch (node)
        {
            case null:
                return;
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    Flatten(prefix.Length == 0 ? name : $"{prefix}.{name}", value, fields);
                }

                return;
            case JsonArray list:
                for (var i = 0; i < list.Count; i++)
                {
                    Flatten($"{prefix}.member.{(i + 1).ToString(CultureInfo.InvariantCulture)}", list[i], fields);
                }

                if (list.Count == 0)
                {
                    fields.Add(new(prefix, string.Empty));
                }

                return;
            case JsonValue value:
                fields.Add(new(prefix, value.TryGetValue<bool>(out var flag) ? (flag ? "true" : "false") : value.TryGetValue<string>(out var text) ? text : value.ToJsonString()));
                return;
        }
    }

    /// <summary>An XML element as JSON: elements whose children are all <c>member</c> become lists, leaves text.</summary>
    public static JsonNode? FromXml(XElement element)
    {
        var children = element.Elements().ToArray();
        if (children.Length == 0)
        {
            return JsonValue.Create(element.Value);
        }

        if (children.All(c => c.Name.LocalName == "member"))
        {
            return new JsonArray(children.Select(FromXml).ToArray());
        }

        var obj = new JsonObject();
        foreach (var child in children)
        {
            obj[child.Name.LocalName] = FromXml(child);
        }

        return obj;
    }

    /// <summary>
    /// The items of a list in a Query answer. XML cannot tell an empty list (<c>&lt;StackEvents/&gt;</c>)
    /// from an empty text, so an absent or empty element is an empty list here.
    /// </summary>
    public static IReadOnlyList<JsonNode> Items(JsonNode? node) => node is JsonArray list ? list.OfType<JsonNode>().ToArray() : [];

    /// <summary>Calls an operation and returns its result (the <c>&lt;Op&gt;Result</c> element) as JSON.</summary>
    public Task<JsonObject> CallAsync(string operation, JsonObject request, CancellationToken cancellationToken)
    {
        if (plan is not null)
        {
            return Task.FromResult(plan.Call(service, operation, request));
        }

        var form = Form(operation, version, request);
        return _retry.RunAsync(
            async token =>
            {
                using var message = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new FormUrlEncodedContent(form) };
                using var response = await AwsHttp.SendAsync(http, message, service, operation, token);
                var text = await response.Content.ReadAsStringAsync(token);
                if (!response.IsSuccessStatusCode)
                {
                    throw Error(operation, response.StatusCode, text);
                }

                var result = XDocument.Parse(text).Root!.Elements().FirstOrDefault(e => e.Name.LocalName == operation + "Result");
                return result is null ? [] : FromXml(result) as JsonObject ?? [];
            },
            Random.Shared,
            cancellationToken);
    }

    private AwsException Error(string operation, HttpStatusCode status, string text)
    {
        try
        {
            // <ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>...</Message></Error><RequestId>...</RequestId></ErrorResponse>
            var root = XDocument.Parse(text).Root!;
            var error = root.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            string? Value(XElement? parent, string name) => parent?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
            return new AwsException(service, operation, Value(error, "Code") ?? status.ToString(), Value(error, "Message") ?? string.Empty, Value(root, "RequestId"), (int)status);
        }
        catch (System.Xml.XmlException)
        {
            return new AwsException(service, operation, status.ToString(), text, null, (int)status);
        }
    }
}
