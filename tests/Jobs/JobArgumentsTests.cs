using GluePipeline.Diagnostics;
using GluePipeline.Jobs;

namespace GluePipeline.Tests.Jobs;

public sealed class JobArgumentsTests
{
    [Fact]
    public void Glue_style_arguments_are_read_as_pairs()
    {
        var values = JobArguments.ParseGlueStyle(["--JOB_NAME", "taxi", "--raw_bucket", "raw-1", "--day=2016-01-01", "--job-bookmark-option", "job-bookmark-enable"], "sys.argv");

        values.Should().Equal(new Dictionary<string, string> { ["JOB_NAME"] = "taxi", ["raw_bucket"] = "raw-1", ["day"] = "2016-01-01", ["job-bookmark-option"] = "job-bookmark-enable" });
    }

    [Theory]
    [InlineData(new[] { "raw_bucket", "x" }, "'raw_bucket' is not an argument name")]
    [InlineData(new[] { "--raw_bucket" }, "--raw_bucket has no value")]
    public void A_malformed_argument_list_is_an_error(string[] args, string message)
    {
        var act = () => JobArguments.ParseGlueStyle(args, "sys.argv");

        act.Should().Throw<PipelineInputException>().WithMessage($"sys.argv: error JOB-ARG: {message}*");
    }

    [Fact]
    public void Placeholders_are_found_and_substituted()
    {
        JobArguments.Placeholders("s3://${raw_bucket}/x/${day}").Should().Equal(("raw_bucket", 5), ("day", 21));
        JobArguments.Substitute("s3://${raw_bucket}/x/", new Dictionary<string, string> { ["raw_bucket"] = "raw" }).Should().Be("s3://raw/x/");
        var act = () => JobArguments.Substitute("${nope}", new Dictionary<string, string>());
        act.Should().Throw<KeyNotFoundException>();
    }

    [Fact]
    public void Pairs_are_name_equals_value_and_the_value_may_hold_equals_signs()
    {
        JobArguments.ParsePairs(["day=2016-01-01", "filter=a=b"], "--arg").Should().Equal(new Dictionary<string, string> { ["day"] = "2016-01-01", ["filter"] = "a=b" });
        var act = () => JobArguments.ParsePairs(["novalue"], "--arg");
        act.Should().Throw<PipelineInputException>().WithMessage("--arg=novalue: error JOB-ARG: An argument is written name=value*");
    }
}
