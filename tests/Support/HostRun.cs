using GluePipeline.Build.Hosting;

namespace GluePipeline.Tests.Support;

/// <summary>What a user would have seen from one in-process run of a host.</summary>
public sealed record HostRunResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}

/// <summary>Runs a host in-process with captured stdout/stderr (never a recursive `dotnet run`).</summary>
public static class HostRun
{
    public static async Task<HostRunResult> RunAsync(CakeHost host, string workingDirectory, IReadOnlyList<string> args, CancellationToken cancellationToken = default)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await host
            .UseConsole(TextWriter.Synchronized(output), TextWriter.Synchronized(error))
            .UseWorkingDirectory(workingDirectory)
            .RunAsync(args, cancellationToken);
        return new HostRunResult(exitCode, output.ToString(), error.ToString());
    }
}
