using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace GluePipeline.Aws;

/// <summary>
/// A thin client of an AWS JSON 1.1 service (Glue, Athena, CodePipeline, CodeBuild): <c>POST /</c>
/// with <c>X-Amz-Target: &lt;prefix&gt;.&lt;Operation&gt;</c> and the members as JSON, through an
/// <see cref="HttpClient"/> whose handler signs (SigV4, see <see cref="AwsHttp"/>). Throttling and
/// transient failures are retried with jittered backoff; an error carries the service, operation,
/// code, message and request id.
/// </summary>
/// <param name="http">The signing HTTP client, its BaseAddress the service endpoint.</param>
/// <param name="service">The service's name, for errors (e.g. <c>glue</c>).</param>
/// <param name="targetPrefix">The X-Amz-Target prefix (e.g. <c>AWSGlue</c>).</param>
/// <param name="retry">The retry policy.</param>
/// <param name="plan">In plan mode: where calls are recorded instead of sent.</param>
public sealed class AwsJsonClient(HttpClient http, string service, string targetPrefix, AwsRetryPolicy? retry = null, AwsPlan? plan = null)
{
    private readonly AwsRetryPolicy _retry = retry ?? AwsRetryPolicy.Default;

    /// <summary>Calls an operation and returns its output; <paramref name="idempotent"/> false retries it only when throttled.</summary>
    public Task<JsonObject> CallAsync(string operation, JsonObject request, CancellationToken cancellationToken, bool idempotent = true)
    {
        if (plan is not null)
        {
            return Task.FromResult(plan.Call(service, operation, request));
        }

        var body = request.ToJsonString();
        return _retry.RunAsync(
            async token =>
            {
                using var message = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent(body, Encoding.UTF8) };
                message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");
                message.Headers.TryAddWithoutValidation("X-Amz-Target", $"{targetPrefix}.{operation}");
                using var response = await AwsHttp.SendAsync(http, message, service, operation, token);
                var text = await response.Content.ReadAsStringAsync(token);
                return response.IsSuccessStatusCode
                    ? (text.Length == 0 ? [] : JsonNode.Parse(text)?.AsObject() ?? [])
                    : throw Error(operation, response, text);
            },
            Random.Shared,
            cancellationToken,
            idempotent);
    }

    private AwsException Error(string operation, HttpResponseMessage response, string text)
    {
        var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
        string code = response.StatusCode.ToString(), message = text;
        try
        {
            if (JsonNode.Parse(text) is JsonObject error)
            {
                // "__type": "com.amazonaws.glue#EntityNotFoundException" (or without the namespace).
                code = ((string?)error["__type"] ?? code).Split('#')[^1];
                message = (string?)error["message"] ?? (string?)error["Message"] ?? string.Empty;
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON (a proxy's page): the status and the text are what we have.
        }

        if (response.Headers.TryGetValues("x-amzn-ErrorType", out var types) && code == response.StatusCode.ToString())
        {
            code = types.First().Split(':')[0];
        }

        return new AwsException(service, operation, code, message, requestId, (int)response.StatusCode);
    }
}

/// <summary>The signing HTTP pipeline of the thin clients.</summary>
public static class AwsHttp
{
    /// <summary>Sends a request; a failure to reach the service is an <see cref="AwsException"/> with code RequestFailed (retried).</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage message, string service, string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(message, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new AwsException(service, operation, "RequestFailed", ex.Message, null, 0, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient's own timeout, not the caller cancelling: a transient failure like any other.
            throw new AwsException(service, operation, "RequestTimeout", ex.Message, null, 0, ex);
        }
    }

    /// <summary>
    /// An HttpClient for a service endpoint that signs every request with SigV4 (AWSSDK.Core's
    /// handler). Retries live above it, in the clients, so every attempt is signed afresh.
    /// </summary>
    public static HttpClient Signed(Amazon.Runtime.AWSCredentials credentials, string region, string signingService, Uri endpoint, HttpMessageHandler? inner = null) =>
        new(new Amazon.Runtime.Signing.SigV4SigningHandler(credentials, Amazon.RegionEndpoint.GetBySystemName(region), signingService, inner ?? new HttpClientHandler()))
        {
            BaseAddress = endpoint,
            DefaultRequestVersion = HttpVersion.Version11,
        };
}
