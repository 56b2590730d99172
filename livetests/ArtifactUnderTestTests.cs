using GluePipeline.Packaging;

namespace GluePipeline.LiveTests;

/// <summary>The LiveTest stack runs the packaged bytes, so first of all those bytes must be intact.</summary>
public sealed class ArtifactUnderTestTests
{
    [Fact]
    public async Task The_artifact_under_test_is_exactly_what_its_manifest_says()
    {
        var zip = LiveTestEnvironment.ArtifactPath;

        var result = await ArtifactVerifier.VerifyAsync(zip, LiveTestEnvironment.ExpectedDigest, CancellationToken.None);

        result.Problems.Should().BeEmpty("{0} must be the artifact that was packaged and approved", zip);
        result.Manifest!.Files.Should().Contain(f => f.Path.StartsWith("templates/", StringComparison.Ordinal), "the artifact carries the templates it deploys");
    }
}
