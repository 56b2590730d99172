using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Amazon.Runtime;
using GluePipeline.Aws;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Aws;

/// <summary>
/// The S3 thin client (REST-XML) against the fake, which maps each request to its operation by
/// botocore's http method and request URI, reads the input back into botocore's shapes and checks
/// the signing and integrity headers S3 checks: uploads, emptying a versioned bucket page by page in
/// batches of at most 1,000, per-key errors of DeleteObjects, retries and errors, and plan mode.
/// </summary>
public sealed class AwsS3ClientTests : IDisposable
{
    private const string Bucket = "raw-bucket-1";
    private readonly FakeAws _s3 = new("s3");

    public void Dispose() => _s3.Dispose();

    private AwsS3Client Client(AwsPlan? plan = null) => new(
        AwsHttp.Signed(new BasicAWSCredentials("AKIDEXAMPLE", "secret"), "us-east-1", "s3", _s3.Endpoint),
        _s3.Endpoint,
        pathStyle: true,
        new AwsRetryPolicy(3, TimeSpan.FromMilliseconds(1)),
        plan);

    private static JsonObject Version(string key, string version, bool latest = true) => new()
    {
        ["ETag"] = "\"d41d8cd98f00b204e9800998ecf8427e\"",
        ["Size"] = 12L,
        ["StorageClass"] = "STANDARD",
        ["Key"] = key,
        ["VersionId"] = version,
        ["IsLatest"] = latest,
        ["LastModified"] = "2026-11-27T10:00:00.000Z",
        ["Owner"] = new JsonObject { ["ID"] = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a" },
    };

    private static JsonObject Marker(string key, string version) => new()
    {
        ["Key"] = key,
        ["VersionId"] = version,
        ["IsLatest"] = true,
        ["LastModified"] = "2026-11-27T10:05:00.000Z",
    };

    private static JsonObject Page(JsonObject[] versions, JsonObject[] markers, string? nextKey = null, string? nextVersion = null)
    {
        var page = new JsonObject
        {
            ["IsTruncated"] = nextKey is not null,
            ["Name"] = Bucket,
            ["Prefix"] = string.Empty,
            ["MaxKeys"] = 1000L,
            ["Versions"] = new JsonArray(versions.Select(v => (JsonNode)v).ToArray()),
            ["DeleteMarkers"] = new JsonArray(markers.Select(m => (JsonNode)m).ToArray()),
        };
        if (nextKey is not null)
        {
            page["NextKeyMarker"] = nextKey;
            page["NextVersionIdMarker"] = nextVersion;
        }

        return page;
    }

    private static (string Key, string? Version)[] Deleted(FakeAwsRequest request) =>
        request.Body["Delete"]!["Objects"]!.AsArray().Select(o => ((string)o!["Key"]!, (string?)o["VersionId"])).ToArray();

    [SkippableFact]
    public async Task PutObject_sends_the_bytes_signed_for_s3_with_their_hash_to_the_key_path_style()
    {
        Skip.If(_s3.Model is null, "python3-botocore is not installed");
        var body = Encoding.UTF8.GetBytes("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n");
        _s3.Returns("PutObject", new JsonObject { ["ETag"] = "\"9b2cf535f27731c974343645a3985328\"" });

        await Client().PutObjectAsync("artifacts-1", "templates/livetest main/stack.yaml", body, "application/x-yaml", CancellationToken.None);

        var put = _s3.Requests.Single();
        put.Operation.Should().Be("PutObject");
        put.Line.Should().Be("PUT /artifacts-1/templates/livetest%20main/stack.yaml");
        ((string?)put.Body["Bucket"], (string?)put.Body["Key"], (string?)put.Body["ContentType"]).Should().Be(("artifacts-1", "templates/livetest main/stack.yaml", "application/x-yaml"));
        ((string?)put.Body["Body"]).Should().Be($"<{body.Length} bytes>");
        put.Payload.Should().Equal(body);
        put.Headers["x-amz-content-sha256"].Should().Be(Convert.ToHexStringLower(SHA256.HashData(body)));
        put.Headers["Authorization"].Should().Contain("/us-east-1/s3/aws4_request").And.Contain("x-amz-content-sha256");
        _s3.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public void ObjectUri_is_path_style_against_an_endpoint_override_and_virtual_hosted_against_AWS()
    {
        var aws = new Uri("https://s3.eu-west-1.amazonaws.com/");
        var virtualHosted = new AwsS3Client(AwsHttp.Signed(new BasicAWSCredentials("AKIDEXAMPLE", "secret"), "eu-west-1", "s3", aws), aws, pathStyle: false);

        Client().ObjectUri("artifacts-1", "templates/a b.yaml").AbsoluteUri.Should().Be($"{_s3.Endpoint}artifacts-1/templates/a%20b.yaml");
        virtualHosted.ObjectUri("bucket", "key").AbsoluteUri.Should().Be("https://bucket.s3.eu-west-1.amazonaws.com/key");
        virtualHosted.ObjectUri("bucket", "templates/stack.yaml").AbsoluteUri.Should().Be("https://bucket.s3.eu-west-1.amazonaws.com/templates/stack.yaml");
    }

    [SkippableFact]
    public async Task Emptying_a_versioned_bucket_deletes_every_version_and_delete_marker_page_by_page()
    {
        Skip.If(_s3.Model is null, "python3-botocore is not installed");
        _s3.Returns("ListObjectVersions", Page(
                [Version("landing/a.csv", "v-a2"), Version("landing/a.csv", "v-a1", latest: false)],
                [Marker("landing/gone.csv", "dm-1")],
                nextKey: "landing/b c.csv",
                nextVersion: "v-b2"))
            .Returns("DeleteObjects", [])
            .Returns("ListObjectVersions", Page(
                [Version("landing/b c.csv", "v-b2"), Version("staging/part-0000.parquet", "null")],
                [Marker("staging/old.parquet", "dm-2")]))
            .Returns("DeleteObjects", []);

        var count = await Client().EmptyBucketAsync(Bucket, CancellationToken.None);

        count.Should().Be(6);
        _s3.Requests.Select(r => r.Operation).Should().Equal("ListObjectVersions", "DeleteObjects", "ListObjectVersions", "DeleteObjects");
        var lists = _s3.Requests.Where(r => r.Operation == "ListObjectVersions").ToArray();
        lists[0].Body.ToJsonString().Should().Be(new JsonObject { ["Bucket"] = Bucket }.ToJsonString());
        ((string?)lists[1].Body["KeyMarker"], (string?)lists[1].Body["VersionIdMarker"]).Should().Be(("landing/b c.csv", "v-b2"), "the second page starts where the first ended");
        lists[1].Line.Should().Contain("key-marker=landing%2Fb%20c.csv").And.Contain("version-id-marker=v-b2");
        var deletes = _s3.Requests.Where(r => r.Operation == "DeleteObjects").ToArray();
        Deleted(deletes[0]).Should().Equal(("landing/a.csv", "v-a2"), ("landing/a.csv", "v-a1"), ("landing/gone.csv", "dm-1"));
        Deleted(deletes[1]).Should().Equal(("landing/b c.csv", "v-b2"), ("staging/part-0000.parquet", "null"), ("staging/old.parquet", "dm-2"));
        deletes.Should().AllSatisfy(d =>
        {
            ((bool?)d.Body["Delete"]!["Quiet"]).Should().BeTrue();
            d.Headers["Content-MD5"].Should().Be(Convert.ToBase64String(MD5.HashData(d.Payload)), "S3 refuses DeleteObjects without a Content-MD5 of its body");
            d.Line.Should().Be($"POST /{Bucket}?delete");
        });
        _s3.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task More_than_1000_versions_are_deleted_in_batches_of_at_most_1000()
    {
        Skip.If(_s3.Model is null, "python3-botocore is not installed");
        var versions = Enumerable.Range(0, 1234).Select(i => Version(string.Create(CultureInfo.InvariantCulture, $"landing/file-{i:D4}.csv"), "v1")).ToArray();
        _s3.Returns("ListObjectVersions", Page(versions, [])).Returns("DeleteObjects", []).Returns("DeleteObjects", []);

        var count = await Client().EmptyBucketAsync(Bucket, CancellationToken.None);

        count.Should().Be(1234);
        var deletes = _s3.Requests.Where(r => r.Operation == "DeleteObjects").Select(Deleted).ToArray();
        deletes.Select(d => d.Length).Should().Equal(1000, 234);
        deletes.SelectMany(d => d).Select(d => d.Key).Should().Equal(versions.Select(v => (string)v["Key"]!));
        _s3.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task A_key_DeleteObjects_could_not_delete_is_an_error_naming_the_key_and_its_code()
    {
        Skip.If(_s3.Model is null, "python3-botocore is not installed");
        _s3.Returns("ListObjectVersions", Page([Version("landing/a.csv", "v1"), Version("landing/locked.csv", "v7")], []))
            .Returns("DeleteObjects", new JsonObject
            {
                ["Errors"] = new JsonArray(new JsonObject { ["Key"] = "landing/locked.csv", ["VersionId"] = "v7", ["Code"] = "AccessDenied", ["Message"] = "Access Denied" }),
            });

        var empty = () => Client().EmptyBucketAsync(Bucket, CancellationToken.None);

        var error = (await empty.Should().ThrowAsync<AwsException>()).Which;
        (error.Service, error.Operation, error.Code).Should().Be(("s3", "DeleteObjects", "DeleteObjectsFailed"));
        error.AwsMessage.Should().Contain(Bucket).And.Contain("landing/locked.csv: AccessDenied Access Denied");
        _s3.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task SlowDown_is_retried_and_NoSuchBucket_is_an_error_with_its_fields()
    {
        Skip.If(_s3.Model is null, "python3-botocore is not installed");
        _s3.Fails("PutObject", 503, "SlowDown", "Please reduce your request rate.")
            .Returns("PutObject", new JsonObject { ["ETag"] = "\"5d41402abc4b2a76b9719d911017c592\"" })
            .Fails("ListObjectVersions", 404, "NoSuchBucket", "The specified bucket does not exist");

        await Client().PutObjectAsync("artifacts-1", "templates/stack.yaml", Encoding.UTF8.GetBytes("hello"), "application/x-yaml", CancellationToken.None);
        var empty = () => Client().EmptyBucketAsync("no-such-bucket", CancellationToken.None);

        _s3.Requests.Count(r => r.Operation == "PutObject").Should().Be(2, "SlowDown is throttling: retried");
        var error = (await empty.Should().ThrowAsync<AwsException>()).Which;
        (error.Service, error.Operation, error.Code, error.AwsMessage, error.RequestId, error.StatusCode)
            .Should().Be(("s3", "ListObjectVersions", "NoSuchBucket", "The specified bucket does not exist", "req-0003", 404));
        error.IsRetryable.Should().BeFalse();
        _s3.Requests.Count(r => r.Operation == "ListObjectVersions").Should().Be(1);
        _s3.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task In_plan_mode_nothing_is_sent_and_each_plan_line_is_a_valid_s3_request()
    {
        Skip.If(_s3.Model is null, "python3-botocore is not installed");
        var lines = new List<string>();
        var client = Client(new AwsPlan(lines.Add));

        await client.PutObjectAsync("artifacts-1", "templates/stack.yaml", Encoding.UTF8.GetBytes("Resources: {}"), "application/x-yaml", CancellationToken.None);
        var count = await client.EmptyBucketAsync(Bucket, CancellationToken.None);

        count.Should().Be(0, "in the plan's empty account the bucket has no versions");
        _s3.Requests.Should().BeEmpty();
        var calls = lines.Select(l => JsonNode.Parse(l)!).ToArray();
        calls.Select(c => ((string?)c["service"], (string?)c["operation"])).Should().Equal(("s3", "PutObject"), ("s3", "ListObjectVersions"));
        calls.Should().AllSatisfy(c => _s3.Model!.ValidateInput((string)c["operation"]!, c["request"]).Should().BeEmpty());
    }

    [SkippableFact]
    public async Task The_fake_reports_what_S3_would_refuse()
    {
        Skip.If(_s3.Model is null, "python3-botocore is not installed");
        using var http = new HttpClient { BaseAddress = _s3.Endpoint };
        using var delete = new HttpRequestMessage(HttpMethod.Post, $"{Bucket}?delete&max-keys=5")
        {
            Content = new StringContent("<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>yes</Quiet><Objekt><Key>a.csv</Key></Objekt></Delete>", Encoding.UTF8, "application/xml"),
        };
        delete.Headers.TryAddWithoutValidation("x-amz-content-sha256", new string('0', 64));
        using var patch = new HttpRequestMessage(HttpMethod.Patch, Bucket);

        using var refused = await http.SendAsync(delete);
        using var unknown = await http.SendAsync(patch);

        _s3.Requests.Select(r => r.Operation).Should().Equal("DeleteObjects", string.Empty);
        _s3.RequestProblems.Should().Contain([
            "DeleteObjects: unknown query parameter max-keys",
            "DeleteObjects input.Delete.Quiet: 'yes' is not true or false",
            "DeleteObjects input.Delete: unknown element Objekt",
            "DeleteObjects input.Delete: missing required member Objects",
            "DeleteObjects: the request is not signed (no Authorization header)",
            "DeleteObjects: the model requires a checksum, but neither Content-MD5 nor an x-amz-checksum-* header was sent",
            $"s3 has no operation that answers PATCH /{Bucket}",
        ]).And.Contain(p => p.StartsWith("DeleteObjects: x-amz-content-sha256 is 0000", StringComparison.Ordinal));
        ((int)refused.StatusCode).Should().Be(400);
        refused.Headers.GetValues("x-amz-request-id").Should().Equal("req-0001");
        var error = XDocument.Parse(await refused.Content.ReadAsStringAsync()).Root!;
        (error.Name.LocalName, error.Element("Code")?.Value, error.Element("RequestId")?.Value).Should().Be(("Error", "UnscriptedCall", "req-0001"));
    }
}
