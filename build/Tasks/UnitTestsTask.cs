using Cake.Common.Tools.DotNet;
using Cake.Common.Tools.DotNet.Test;
using GluePipeline.Build.Hosting;

namespace GluePipeline.Build.Tasks;

/// <summary>Runs the unit and integration tests of src/ and writes JUnit XML and TRX for CI report groups.</summary>
[TaskName("UnitTests")]
[TaskDescription("dotnet test tests/; JUnit XML and TRX under artifacts/test-results/.")]
public sealed class UnitTestsTask : FrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override void Run(BuildContext context)
    {
        var results = Path.Combine(context.ArtifactsDirectory, "test-results");
        Directory.CreateDirectory(results);
        context.DotNetTest(
            Path.Combine(context.RepositoryRoot, "tests", "GluePipeline.Tests.csproj"),
            new DotNetTestSettings
            {
                Configuration = context.BuildConfiguration,
                ResultsDirectory = results,
                Loggers =
                [
                    "console;verbosity=minimal",
                    $"junit;LogFilePath={Path.Combine(results, "unit-tests.junit.xml")};MethodFormat=Class;FailureBodyFormat=Verbose",
                    "trx;LogFileName=unit-tests.trx",
                ],
            });
    }
}
