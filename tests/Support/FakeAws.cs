using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using GluePipeline.Aws;

namespace GluePipeline.Tests.Support;

/// <summary>One request the fake received.</summary>
/// <param name="Operation">The operation (from X-Amz-Target, the Action field, or a REST request's method, path and query; empty when none fits).</param>
/// <param name="Body">The members as sent.</param>
/// <param name="Headers">The request's headers (Authorization, X-Amz-Date, ...).</param>
public sealed record FakeAwsRequest(string Operation, JsonObject Body, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The method and the path and query as sent, e.g. <c>PUT /bucket/dir/a%20b.yaml</c>.</summary>
    public string Line { get; init; } = string.Empty;

    /// <summary>The body's bytes as sent.</summary>
    public byte[] Payload { get; init; } = [];
}

/// <summary>
/// An in-process AWS endpoint on loopback - JSON 1.1 (Glue, Athena, ...), Query/XML
/// (CloudFormation: pass no target prefix) or REST-XML (S3, path-style addresses) - scripted per
/// test: each operation answers from a queue of responses (an output, or an error with status, code
/// and message). Every request it receives is checked against the botocore model of its operation,
/// and every scripted output against the operation's output shape, so neither the clients nor the
/// fake can drift from AWS.
/// Without the models (python3-botocore) the checks are skipped on a laptop and fail under CI=true.
/// A REST-XML request is mapped to its operation by the model's <c>http</c> method and request URI,
/// its structured input read back from the URI labels, query, headers and XML payload, and its
/// signing and integrity headers checked as S3 checks them; answers are written as S3 writes them.
/// </summary>
public sealed class FakeAws : IDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Func<JsonObject, (int Status, JsonObject Body)>>> _script = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<JsonObject, JsonObject>> _otherwise = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private readonly RestXmlProtocol? _rest;

    /// <summary>Starts the fake for a service (e.g. <c>glue</c> with prefix <c>AWSGlue</c>; <c>cloudformation</c> with none: Query protocol; <c>s3</c>: REST-XML).</summary>
    public FakeAws(string service, string? targetPrefix = null)
    {
        Service = service;
        TargetPrefix = targetPrefix;
        Model = AwsServiceModel.Find(service);
        RestXml = Model?.Protocol == "rest-xml" || (Model is null && service == "s3");
        _rest = RestXml && Model is not null ? RestXmlProtocol.Load(service) : null;
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

    /// <summary>Whether the service speaks REST-XML (S3).</summary>
    public bool RestXml { get; }

    private bool Query => TargetPrefix is null && !RestXml;

    /// <summary>The botocore model, or null when not installed.</summary>
    public AwsServiceModel? Model { get; }

    /// <summary>Where to send requests.</summary>
    public Uri Endpoint { get; }

    /// <summary>Every request received, in order.</summary>
    public ConcurrentQueue<FakeAwsRequest> Requests { get; } = new();

    /// <summary>What the botocore model found wrong in the requests received (empty when all were well-formed).</summary>
    public ConcurrentQueue<string> RequestProblems { get; } = new();

    /// <summary>A JSON 1.1 client of this fake's service, signed as AWS signs (region us-east-1 unless given), retrying with a 1 ms backoff unit.</summary>
    public AwsJsonClient JsonClient(int attempts = 3, string region = "us-east-1") => new(
        AwsHttp.Signed(new Amazon.Runtime.BasicAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), region, Service, Endpoint),
        Service,
        TargetPrefix ?? throw new InvalidOperationException($"{Service} speaks {(RestXml ? "REST/XML" : "Query")}, not JSON 1.1"),
        new AwsRetryPolicy(attempts, TimeSpan.FromMilliseconds(1)));

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
        Enqueue(operation, _ => (status, Error(code, message)));

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

    /// <summary>
    /// Answers every call of an operation that finds its queue empty: an output (checked against the
    /// model as it is made), or a <see cref="FakeAwsError"/> thrown by the function. For a state that
    /// lasts as long as the client keeps asking (a stack still in progress until a test cancels).
    /// </summary>
    public FakeAws Otherwise(string operation, Func<JsonObject, JsonObject> answer)
    {
        _otherwise[operation] = answer;
        return this;
    }

    /// <summary>The scripted answer to a call: the next queued one, else the standing one, else an UnscriptedCall error.</summary>
    private (int Status, JsonObject Body) Answer(string operation, JsonObject input)
    {
        if (_script.TryGetValue(operation, out var queue) && queue.TryDequeue(out var next))
        {
            return next(input);
        }

        if (_otherwise.TryGetValue(operation, out var standing))
        {
            try
            {
                var output = standing(input);
                foreach (var problem in Model?.ValidateOutput(operation, output) ?? [])
                {
                    RequestProblems.Enqueue($"the standing {operation} output is not what AWS returns: {problem}");
                }

                return (200, output);
            }
            catch (FakeAwsError error)
            {
                return (error.Status, Error(error.Code, error.Message));
            }
        }

        return (400, Error("UnscriptedCall", $"the test did not script {operation}"));
    }

    private JsonObject Error(string code, string message) => new() { ["__type"] = $"com.amazonaws.{Service}#{code}", ["message"] = message, ["code"] = code };

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

            // Each request on its own: concurrent clients (parallel uploads) are served side by side, and a
            // client that goes away mid-request (a cancelled call) cannot stop the fake answering the next.
            _ = Task.Run(() => ServeOneAsync(context));
        }
    }

    private async Task ServeOneAsync(HttpListenerContext context)
    {
        try
        {
            await ServeRequestAsync(context);
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
        {
            // The client went away, or the fake is shutting down: nobody is waiting for this answer.
        }
#pragma warning disable CA1031 // A bug in the fake must reach the test as a problem, not end the listener.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RequestProblems.Enqueue($"the fake failed to answer {context.Request.HttpMethod} {context.Request.RawUrl}: {ex}");
            try
            {
                context.Response.StatusCode = 500;
                context.Response.Close();
            }
            catch (Exception closing) when (closing is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                // Gone already.
            }
        }
    }

    private async Task ServeRequestAsync(HttpListenerContext context)
    {
        using var received = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(received);
        if (RestXml)
        {
            await ServeRestXmlAsync(context, received.ToArray());
            return;
        }

        received.Position = 0;
        using var reader = new StreamReader(received, Encoding.UTF8);
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

        var (status, answer) = Answer(operation, body);
        var requestId = $"req-{Requests.Count:D4}";
        var bytes = Encoding.UTF8.GetBytes(Query ? QueryXml(operation, status, answer, requestId) : answer.ToJsonString());
        context.Response.StatusCode = status;
        context.Response.ContentType = Query ? "text/xml" : "application/x-amz-json-1.1";
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    /// <summary>
    /// A REST-XML request: its operation from the method, path and query; its input from the URI
    /// labels, query, headers and payload, checked against the model; S3's signing and integrity
    /// headers checked; the answer written as S3 writes it (headers, XML body, or an Error document).
    /// </summary>
    private async Task ServeRestXmlAsync(HttpListenerContext context, byte[] payload)
    {
        var method = context.Request.HttpMethod;
        var target = context.Request.RawUrl ?? "/";
        var headers = context.Request.Headers.AllKeys.OfType<string>().ToDictionary(k => k, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
        var operation = string.Empty;
        JsonObject input = [];
        var problems = new List<string>();
        if (_rest is null)
        {
            problems.Add($"The botocore model of {Service} is not installed: the request cannot be read");
        }
        else if (_rest.Route(method, target, headers) is { } route)
        {
            operation = route.Operation;
            input = _rest.Input(route, headers, payload, problems);
            problems.AddRange(Model!.ValidateInput(operation, input));
            problems.AddRange(_rest.Integrity(operation, headers, payload));
        }
        else
        {
            problems.Add($"{Service} has no operation that answers {method} {target}");
        }

        Requests.Enqueue(new FakeAwsRequest(operation, input, headers) { Line = $"{method} {target}", Payload = payload });
        foreach (var problem in problems)
        {
            RequestProblems.Enqueue(problem);
        }

        var (status, answer) = operation.Length == 0 ? (400, Error("UnscriptedCall", $"no S3 operation is {method} {target}")) : Answer(operation, input);
        var requestId = $"req-{Requests.Count:D4}";
        byte[] body;
        if (status >= 300)
        {
            body = Encoding.UTF8.GetBytes(new XElement("Error", new XElement("Code", (string?)answer["code"]), new XElement("Message", (string?)answer["message"]), new XElement("RequestId", requestId)).ToString(SaveOptions.DisableFormatting));
            context.Response.ContentType = "application/xml";
        }
        else
        {
            var written = _rest!.Output(operation, answer);
            (status, body) = (written.Status, written.Body);
            foreach (var (name, value) in written.Headers)
            {
                if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.ContentType = value;
                }
                else if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.Headers[name] = value;
                }
            }

            if (body.Length > 0 && context.Response.ContentType is null)
            {
                context.Response.ContentType = "application/xml";
            }
        }

        context.Response.StatusCode = status;
        context.Response.Headers["x-amz-request-id"] = requestId;
        if (method != "HEAD")
        {
            await context.Response.OutputStream.WriteAsync(body);
        }

        context.Response.Close();
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

/// <summary>Thrown by a standing answer (<see cref="FakeAws.Otherwise"/>) to answer with an AWS error.</summary>
/// <param name="status">The HTTP status.</param>
/// <param name="code">The error code.</param>
/// <param name="message">The message.</param>
public sealed class FakeAwsError(int status, string code, string message) : Exception(message)
{
    /// <summary>The HTTP status.</summary>
    public int Status { get; } = status;

    /// <summary>The error code.</summary>
    public string Code { get; } = code;
}
