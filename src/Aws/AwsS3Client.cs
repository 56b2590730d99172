using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace GluePipeline.Aws;

/// <summary>
/// A thin client of S3's REST/XML protocol for the few operations the pipeline needs: PutObject,
/// HeadObject and GetObject (large templates, the published artifact, the release history), and
/// ListObjectVersions with DeleteObjects (emptying a versioned bucket so CloudFormation can delete it). Addresses are virtual-hosted against AWS
/// (<c>https://bucket.s3.region.amazonaws.com/key</c>) and path-style against an endpoint override,
/// as the SDKs do. The payload hash is sent in <c>x-amz-content-sha256</c> (S3's SigV4 requires it) and
/// DeleteObjects carries <c>Content-MD5</c> (S3 refuses it without). Signing, retries, errors and
/// plan mode as the other thin clients.
/// </summary>
/// <param name="http">The signing HTTP client (signing name <c>s3</c>).</param>
/// <param name="endpoint">The service endpoint, e.g. <c>https://s3.eu-west-1.amazonaws.com/</c>.</param>
/// <param name="pathStyle">Path-style addresses (endpoint overrides, tests).</param>
/// <param name="retry">The retry policy.</param>
/// <param name="plan">In plan mode: where calls are recorded instead of sent.</param>
public sealed class AwsS3Client(HttpClient http, Uri endpoint, bool pathStyle, AwsRetryPolicy? retry = null, AwsPlan? plan = null)
{
    private const string Service = "s3";
    private static readonly XNamespace Ns = "http://s3.amazonaws.com/doc/2006-03-01/";
    private readonly AwsRetryPolicy _retry = retry ?? AwsRetryPolicy.Default;

    /// <summary>The address of an object (what CloudFormation's TemplateURL takes).</summary>
    public Uri ObjectUri(string bucket, string key, string? query = null)
    {
        var path = string.Join('/', key.Split('/').Select(Uri.EscapeDataString));
        var uri = pathStyle
            ? new Uri(endpoint, path.Length == 0 ? Uri.EscapeDataString(bucket) : $"{Uri.EscapeDataString(bucket)}/{path}")
            : new Uri($"{endpoint.Scheme}://{bucket}.{endpoint.Authority}/{path}");
        return query is null ? uri : new Uri(uri + "?" + query);
    }

    /// <summary>Uploads an object, with user metadata (<c>x-amz-meta-&lt;name&gt;</c>) when given.</summary>
    public async Task PutObjectAsync(string bucket, string key, byte[] body, string contentType, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (plan is not null)
        {
            var request = new JsonObject { ["Bucket"] = bucket, ["Key"] = key, ["ContentType"] = contentType, ["Body"] = $"<{body.Length.ToString(CultureInfo.InvariantCulture)} bytes, sha256 {Convert.ToHexStringLower(SHA256.HashData(body))}>" };
            if (metadata is { Count: > 0 })
            {
                request["Metadata"] = new JsonObject(metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)JsonValue.Create(m.Value))));
            }

            plan.Call(Service, "PutObject", request);
            return;
        }

        var headers = metadata?.ToDictionary(m => "x-amz-meta-" + m.Key, m => m.Value, StringComparer.Ordinal);
        await SendAsync("PutObject", HttpMethod.Put, ObjectUri(bucket, key), body, contentType, md5: false, cancellationToken, headers);
    }

    /// <summary>An object's bytes, or null when there is no such object.</summary>
    public async Task<byte[]?> GetObjectAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        if (plan is not null)
        {
            plan.Call(Service, "GetObject", new JsonObject { ["Bucket"] = bucket, ["Key"] = key });
            return null;
        }

        try
        {
            return (await SendAsync("GetObject", HttpMethod.Get, ObjectUri(bucket, key), null, null, md5: false, cancellationToken)).Body;
        }
        catch (AwsException ex) when (ex.StatusCode == 404)
        {
            return null;
        }
    }

    /// <summary>An object's user metadata (<c>x-amz-meta-*</c>, names without the prefix), or null when there is no such object.</summary>
    public async Task<IReadOnlyDictionary<string, string>?> HeadObjectAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        if (plan is not null)
        {
            // The plan's account is empty: nothing has been published there.
            plan.Call(Service, "HeadObject", new JsonObject { ["Bucket"] = bucket, ["Key"] = key });
            return null;
        }

        try
        {
            var (_, headers) = await SendAsync("HeadObject", HttpMethod.Head, ObjectUri(bucket, key), null, null, md5: false, cancellationToken);
            return headers.Where(h => h.Key.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase))
                .ToDictionary(h => h.Key["x-amz-meta-".Length..].ToLowerInvariant(), h => h.Value, StringComparer.Ordinal);
        }
        catch (AwsException ex) when (ex.StatusCode == 404)
        {
            return null;
        }
    }

    /// <summary>Deletes every version and delete marker in a bucket (a versioned bucket is only empty then); returns how many.</summary>
    public async Task<int> EmptyBucketAsync(string bucket, CancellationToken cancellationToken)
    {
        var deleted = 0;
        string? keyMarker = null, versionMarker = null;
        do
        {
            var request = new JsonObject { ["Bucket"] = bucket };
            var query = new List<string> { "versions" };
            if (keyMarker is not null)
            {
                request["KeyMarker"] = keyMarker;
                query.Add("key-marker=" + Uri.EscapeDataString(keyMarker));
            }

            if (versionMarker is not null)
            {
                request["VersionIdMarker"] = versionMarker;
                query.Add("version-id-marker=" + Uri.EscapeDataString(versionMarker));
            }

            JsonObject page;
            if (plan is not null)
            {
                page = plan.Call(Service, "ListObjectVersions", request);
            }
            else
            {
                var (answer, _) = await SendAsync("ListObjectVersions", HttpMethod.Get, ObjectUri(bucket, string.Empty, string.Join('&', query)), null, null, md5: false, cancellationToken);
                page = ListVersions(Xml(answer));
            }

            var objects = (page["Versions"]?.AsArray() ?? []).Concat(page["DeleteMarkers"]?.AsArray() ?? [])
                .Select(v => (Key: (string)v!["Key"]!, Version: (string?)v["VersionId"])).ToArray();

            // DeleteObjects takes at most 1,000 keys.
            foreach (var batch in objects.Chunk(1000))
            {
                deleted += await DeleteObjectsAsync(bucket, batch, cancellationToken);
            }

            var truncated = (bool?)page["IsTruncated"] == true;
            keyMarker = truncated ? (string?)page["NextKeyMarker"] : null;
            versionMarker = truncated ? (string?)page["NextVersionIdMarker"] : null;
        }
        while (keyMarker is not null);

        return deleted;
    }

    private async Task<int> DeleteObjectsAsync(string bucket, IReadOnlyList<(string Key, string? Version)> objects, CancellationToken cancellationToken)
    {
        if (plan is not null)
        {
            plan.Call(Service, "DeleteObjects", new JsonObject
            {
                ["Bucket"] = bucket,
                ["Delete"] = new JsonObject
                {
                    ["Objects"] = new JsonArray(objects.Select(o => (JsonNode)Identifier(o.Key, o.Version)).ToArray()),
                    ["Quiet"] = true,
                },
            });
            return objects.Count;
        }

        var body = new XElement(Ns + "Delete", new XElement(Ns + "Quiet", "true"), objects.Select(o => new XElement(Ns + "Object", new XElement(Ns + "Key", o.Key), o.Version is null ? null : new XElement(Ns + "VersionId", o.Version))));
        var (answer, _) = await SendAsync("DeleteObjects", HttpMethod.Post, ObjectUri(bucket, string.Empty, "delete"), Encoding.UTF8.GetBytes(body.ToString(SaveOptions.DisableFormatting)), "application/xml", md5: true, cancellationToken);
        var errors = Xml(answer).Elements().Where(e => e.Name.LocalName == "Error").Select(e => $"{Child(e, "Key")}: {Child(e, "Code")} {Child(e, "Message")}").ToArray();
        if (errors.Length > 0)
        {
            throw new AwsException(Service, "DeleteObjects", "DeleteObjectsFailed", $"{errors.Length} object(s) of {bucket} could not be deleted: {string.Join("; ", errors.Take(5))}", null, 200);
        }

        return objects.Count;
    }

    private static JsonObject Identifier(string key, string? version)
    {
        var identifier = new JsonObject { ["Key"] = key };
        if (version is not null)
        {
            identifier["VersionId"] = version;
        }

        return identifier;
    }

    private static JsonObject ListVersions(XElement root)
    {
        JsonNode Entry(XElement e) => Identifier(Child(e, "Key") ?? string.Empty, Child(e, "VersionId"));
        var page = new JsonObject
        {
            ["Versions"] = new JsonArray(root.Elements().Where(e => e.Name.LocalName == "Version").Select(Entry).ToArray()),
            ["DeleteMarkers"] = new JsonArray(root.Elements().Where(e => e.Name.LocalName == "DeleteMarker").Select(Entry).ToArray()),
            ["IsTruncated"] = Child(root, "IsTruncated") == "true",
        };
        if (Child(root, "NextKeyMarker") is { } key)
        {
            page["NextKeyMarker"] = key;
        }

        if (Child(root, "NextVersionIdMarker") is { } version)
        {
            page["NextVersionIdMarker"] = version;
        }

        return page;
    }

    private static string? Child(XElement parent, string name) => parent.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    private static XElement Xml(byte[] body) => XDocument.Parse(Encoding.UTF8.GetString(body)).Root!;

    /// <summary>One call, retried as the policy says: the payload hash (and Content-MD5 when asked) on the request; the body and headers of the answer.</summary>
    private Task<(byte[] Body, IReadOnlyDictionary<string, string> Headers)> SendAsync(string operation, HttpMethod method, Uri uri, byte[]? body, string? contentType, bool md5, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? headers = null) =>
        _retry.RunAsync(
            async token =>
            {
                using var message = new HttpRequestMessage(method, uri);
                var payload = body ?? [];
                message.Headers.TryAddWithoutValidation("x-amz-content-sha256", Convert.ToHexStringLower(SHA256.HashData(payload)));
                foreach (var (name, value) in headers ?? new Dictionary<string, string>())
                {
                    message.Headers.TryAddWithoutValidation(name, value);
                }

                if (body is not null)
                {
                    message.Content = new ByteArrayContent(body);
                    message.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType ?? "application/octet-stream");
                    if (md5)
                    {
                        message.Content.Headers.ContentMD5 = MD5.HashData(body);
                    }
                }

                using var response = await AwsHttp.SendAsync(http, message, Service, operation, token);
                var answer = await response.Content.ReadAsByteArrayAsync(token);
                if (!response.IsSuccessStatusCode)
                {
                    throw Error(operation, response, Encoding.UTF8.GetString(answer));
                }

                var answered = response.Headers.Concat(response.Content.Headers).ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
                return (answer, (IReadOnlyDictionary<string, string>)answered);
            },
            Random.Shared,
            cancellationToken);

    private static AwsException Error(string operation, HttpResponseMessage response, string text)
    {
        // <Error><Code>NoSuchBucket</Code><Message>...</Message><RequestId>...</RequestId></Error>; HEAD-like answers have no body.
        var requestId = response.Headers.TryGetValues("x-amz-request-id", out var ids) ? ids.FirstOrDefault() : null;
        try
        {
            var root = XDocument.Parse(text).Root!;
            return new AwsException(Service, operation, Child(root, "Code") ?? response.StatusCode.ToString(), Child(root, "Message") ?? string.Empty, Child(root, "RequestId") ?? requestId, (int)response.StatusCode);
        }
        catch (System.Xml.XmlException)
        {
            return new AwsException(Service, operation, response.StatusCode == HttpStatusCode.NotFound ? "NotFound" : response.StatusCode.ToString(), text, requestId, (int)response.StatusCode);
        }
    }
}
