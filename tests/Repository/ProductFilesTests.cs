using GluePipeline.Repository;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Repository;

public sealed class ProductFilesTests
{
    [Theory]
    [InlineData("jobs/taxi/job.yaml", true)]
    [InlineData("jobs/runtime/glue_runtime.py", true)]
    [InlineData("templates/etl.yaml", true)]
    [InlineData("templates/environments/prod.json", true)]
    [InlineData("jobs/runtime/tests/test_runtime.py", false)]
    [InlineData("jobs/runtime/tests/awsglue/context.py", false)]
    [InlineData("jobs/taxi/__pycache__/gen.cpython-311.pyc", false)]
    [InlineData("jobs/taxi/gen.pyc", false)]
    [InlineData("jobs/.pytest_cache/v/cache", false)]
    [InlineData("jobs/taxi/.DS_Store", false)]
    [InlineData("src/Pipeline.cs", false)]
    [InlineData("README.md", false)]
    [InlineData("jobs", false)]
    public void The_documented_rule_decides_what_is_product(string path, bool expected) =>
        ProductFiles.IsProductPath(path).Should().Be(expected);

    [Fact]
    public async Task Without_git_lists_the_files_under_the_roots_sorted_and_filtered()
    {
        using var dir = new TempDirectory("files");
        dir.Write("templates/z.yaml", "a: 1");
        dir.Write("templates/a.yaml", "a: 1");
        dir.Write("jobs/j/job.yaml", "a: 1");
        dir.Write("jobs/runtime/tests/stub.py", "x = 1");
        dir.Write("src/x.cs", "class X {}");

        var files = await ProductFiles.ListAsync(dir.Path, CancellationToken.None);

        files.Should().Equal("jobs/j/job.yaml", "templates/a.yaml", "templates/z.yaml");
    }
}
