using GluePipeline.Diagnostics;

namespace GluePipeline.Tests.Diagnostics;

public sealed class DiagnosticTests
{
    [Fact]
    public void Formats_in_the_shared_error_shape()
    {
        var d = Diagnostic.Error(new SourceLocation("templates/etl.yaml", 12, 7), "CFN-REF", "Ref to unknown resource 'Bukcet'.", "did you mean 'Bucket'?");

        d.ToString().Should().Be("templates/etl.yaml:12:7: error CFN-REF: Ref to unknown resource 'Bukcet'. Fix: did you mean 'Bucket'?");
    }

    [Fact]
    public void Leaves_out_what_is_unknown()
    {
        Diagnostic.Warning(new SourceLocation("--lane=x"), "ARG", "Odd").ToString().Should().Be("--lane=x: warning ARG: Odd.");
        Diagnostic.Error(null, "RUN", "Failed", "retry").ToString().Should().Be("error RUN: Failed. Fix: retry.");
        new SourceLocation("f.sql", 3).ToString().Should().Be("f.sql:3");
    }

    [Fact]
    public void An_input_exception_needs_at_least_one_finding()
    {
        var act = () => new PipelineInputException(Array.Empty<Diagnostic>());

        act.Should().Throw<ArgumentException>();
    }
}
