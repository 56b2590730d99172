using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using GluePipeline.Aws;

namespace GluePipeline.Tests.Support;

/// <summary>One request the fake received.</summary>
/// <param name="Operation">The operation (from X-Amz-Target).</param>
/// <param name="Body">The members as sent.</param>
/// <param name="Headers">The request's headers (Authorization, X-Amz-Date, ...).</param>
public sealed record FakeAwsRequest(string Operation, JsonObject Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// An in-process AWS endpoint on loopback - JSON 1.1 (Glue, Athena, ...) or Query/XML
/// (CloudFormation: pass no target prefix) - scripted per test: each operation answers from
/// a queue of responses (an output, or an error with status, code and message). Every request it
/// receives is checked against the botocore model of its operation, and every scripted output
/// against the operation's output shape, so neither the clients nor the fake can drift from AWS.
/// Without the models (python3-botocore) the checks are skipped on a laptop and fail under CI=true.
/// </summary>
public sealed class FakeAws : IDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Func<JsonObject, (int Status, JsonObject Body)>>> _script = new(StringComparer.Ordinal);
    private readonly Task _loop;

    /// <summary>Starts the fake for a service (e.g. <c>glue</c> with prefix <c>AWSGlue</c>; <c>cloudformation</c> with none: Query protocol).</summary>
    public FakeAws(string service, string? targetPrefix = null)
    {
        Service = service;
        TargetPrefix = targetPrefix;
        Model = AwsServiceModel.Find(service);
        if (Model is null && DatabaseServers.IsCi)
        {
            throw new InvalidOperationException($"The botocore model of {service} is not installed, and CI=true: .ci/run installs python3-botocore");
        }

        // A free port can be taken by another test's server before we bind it: try another.
        for (var attempt = 1; ; attempt++)
        {
            Endpoint = new Uri($"http://127.0.0.1:{FreePort()}/");
            var listener = new HttpListener();
            listener.Prefixes.Add(Endpoint.ToString());
            try
            {
                listener.Start();
                _listener = listener;
                break;
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                try
                {
                    listener.Close();
                }
                catch (HttpListenerException)
                {
                    // It never listened.
                }
            }
        }

        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The service.</summary>
    public string Service { get; }

    /// <summary>The X-Amz-Target prefix, or null for the Query protocol.</summary>
    public string? TargetPrefix { get; }

    private bool Query => TargetPrefix is null;

    /// <summary>The botocore model, or null when not installed.</summary>
    public AwsServiceModel? Model { get; }

    /// <summary>Where to send requests.</summary>
    public Uri Endpoint { get; }

    /// <summary>Every request received, in order.</summary>
    public ConcurrentQueue<FakeAwsRequest> Requests { get; } = new();

    /// <summary>What the botocore model found wrong in the requests received (empty when all were well-formed).</summary>
    public ConcurrentQueue<string> RequestProblems { get; } = new();

    /// <summary>Answers the next call of an operation with an output (checked against the model's output shape).</summary>
    public FakeAws Returns(string operation, JsonObject output)
    {
        if (Model is not null)
        {
            var problems = Model.ValidateOutput(operation, output);
            if (problems.Count > 0)
            {
                throw new InvalidOperationException($"The scripted {operation} output is not what AWS returns: {string.Join("; ", problems)}");
            }
        }

        return Enqueue(operation, _ => (200, output));
    }

    /// <summary>Answers the next call of an operation with an error.</summary>
    public FakeAws Fails(string operation, int status, string code, string message) =>
        Enqueue(operation, _ => (status, new JsonObject { ["__type"] = $"com.amazonaws.{Service}#{code}", ["message"] = message, ["code"] = code }));

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            _listener.Stop();
            _listener.Close();
        }
        catch (HttpListenerException)
        {
            // Already gone.
        }

        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener stopped under a pending GetContext.
        }
    }

    private FakeAws Enqueue(string operation, Func<JsonObject, (int, JsonObject)> answer)
    {
        _script.GetOrAdd(operation, _ => new()).Enqueue(answer);
        return this;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var text = await reader.ReadToEndAsync();
            string operation;
            JsonObject body;
            var problems = new List<string>();
            if (Query)
            {
                var form = text.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string>(Uri.UnescapeDataString(p[0].Replace('+', ' ')), Uri.UnescapeDataString((p.Length > 1 ? p[1] : string.Empty).Replace('+', ' ')))).ToArray();
                operation = form.FirstOrDefault(f => f.Key == "Action").Value ?? string.Empty;
                body = Model?.FromQuery(operation, form, problems) ?? [];
            }
            else
            {
                var target = context.Request.Headers["X-Amz-Target"] ?? string.Empty;
                operation = target.StartsWith(TargetPrefix + ".", StringComparison.Ordinal) ? target[(TargetPrefix!.Length + 1)..] : target;
                body = text.Length == 0 ? [] : JsonNode.Parse(text)?.AsObject() ?? [];
            }

            Requests.Enqueue(new FakeAwsRequest(operation, body, context.Request.Headers.AllKeys.OfType<string>().ToDictionary(k => k, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase)));
            if (Model is not null)
            {
                foreach (var problem in problems.Concat(Model.ValidateInput(operation, body)))
                {
                    RequestProblems.Enqueue(problem);
                }
            }

            var (status, answer) = _script.TryGetValue(operation, out var queue) && queue.TryDequeue(out var next)
                ? next(body)
                : (400, new JsonObject { ["__type"] = "com.amazonaws.fake#UnscriptedCall", ["message"] = $"the test did not script {operation}", ["code"] = "UnscriptedCall" });
            var requestId = $"req-{Requests.Count:D4}";
            var bytes = Encoding.UTF8.GetBytes(Query ? QueryXml(operation, status, answer, requestId) : answer.ToJsonString());
            context.Response.StatusCode = status;
            context.Response.ContentType = Query ? "text/xml" : "application/x-amz-json-1.1";
            context.Response.Headers["x-amzn-RequestId"] = requestId;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    /// <summary>A Query-protocol answer: the result wrapped as CloudFormation writes it, or an ErrorResponse.</summary>
    private string QueryXml(string operation, int status, JsonObject answer, string requestId)
    {
        XNamespace ns = $"http://{Service}.amazonaws.com/doc/{Model?.Metadata["apiVersion"] ?? "2010-05-15"}/";
        if (status >= 300)
        {
            return new XElement(ns + "ErrorResponse",
                new XElement(ns + "Error", new XElement(ns + "Type", status >= 500 ? "Receiver" : "Sender"), new XElement(ns + "Code", (string?)answer["code"]), new XElement(ns + "Message", (string?)answer["message"])),
                new XElement(ns + "RequestId", requestId)).ToString();
        }

        XElement Element(string name, JsonNode? node) => node switch
        {
            JsonObject obj => new XElement(ns + name, obj.Select(p => Element(p.Key, p.Value))),
            JsonArray list => new XElement(ns + name, list.Select(i => Element("member", i))),
            JsonValue value => new XElement(ns + name, value.TryGetValue<bool>(out var b) ? (b ? "true" : "false") : value.TryGetValue<string>(out var s) ? s : value.ToJsonString()),
            _ => new XElement(ns + name),
        };

        return new XElement(ns + operation + "Response", Element(operation + "Result", answer), new XElement(ns + "ResponseMetadata", new XElement(ns + "RequestId", requestId))).ToString();
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        var port = ((IPEndPoint)socket.LocalEndpoint).Port;
        socket.Stop();
        return port;
    }
}
