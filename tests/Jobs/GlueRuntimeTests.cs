using System.Diagnostics;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Jobs;

/// <summary>
/// Runs the Glue runtime's pytest suite (jobs/runtime/tests: the script against recording stand-ins
/// of awsglue and pyspark) as part of the tests. Debian's python3-pytest is what .ci/run installs;
/// without it the test is skipped on a laptop and fails under CI=true.
/// </summary>
public sealed class GlueRuntimeTests
{
    private static string? PythonWithPytest()
    {
        foreach (var python in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                var check = Process.Start(new ProcessStartInfo(python, ["-c", "import pytest"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
                check.WaitForExit();
                if (check.ExitCode == 0)
                {
                    return python;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under that name.
            }
        }

        return null;
    }

    [SkippableFact]
    public async Task The_runtime_script_passes_its_pytest_suite()
    {
        var python = PythonWithPytest();
        if (python is null)
        {
            if (DatabaseServers.IsCi)
            {
                throw new InvalidOperationException("python3 with pytest is not installed, and CI=true: .ci/run installs python3-pytest");
            }

            Skip.If(true, "python3 with pytest is not installed (apt-get install python3-pytest)");
        }

        var start = new ProcessStartInfo(python!, ["-m", "pytest", "-q", "-p", "no:cacheprovider", "jobs/runtime/tests"])
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        process.ExitCode.Should().Be(0, $"pytest said:\n{await output}\n{await error}");
        (await output).Should().MatchRegex(@"\d+ passed");
    }
}
