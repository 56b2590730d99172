using System.Diagnostics;

namespace GluePipeline.Tests.Support;

/// <summary>
/// Headless Chromium, to render HTML reports the way a person's browser would (.ci/run installs the
/// Debian package). Missing, a test is skipped on a laptop and fails under CI=true.
/// </summary>
public static class Chromium
{
    private static readonly string[] Candidates = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

    public static string Require()
    {
        var configured = Environment.GetEnvironmentVariable("PIPELINE_CHROMIUM");
        var found = configured is { Length: > 0 } ? configured : Candidates.Select(Which).FirstOrDefault(p => p is not null);
        if (found is null)
        {
            if (DatabaseServers.IsCi)
            {
                throw new InvalidOperationException("Chromium is not installed, and CI=true: the HTML report must be rendered in CI (.ci/run installs the chromium package).");
            }

            Skip.If(true, "Chromium is not installed (apt-get install chromium)");
        }

        return found!;
    }

    /// <summary>Renders a file to a PNG of the given window size and returns the PNG's path.</summary>
    public static async Task<string> ScreenshotAsync(string htmlFile, string pngFile, int width, int height)
    {
        var profile = Directory.CreateTempSubdirectory("chromium-profile-");
        try
        {
            var start = new ProcessStartInfo(Require())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                "--disable-extensions", $"--user-data-dir={profile.FullName}", $"--window-size={width},{height}",
                $"--screenshot={pngFile}", new Uri(htmlFile).AbsoluteUri,
            })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0 || !File.Exists(pngFile))
            {
                throw new InvalidOperationException($"chromium exited {process.ExitCode} without a screenshot:\n{await stdout}\n{await stderr}");
            }

            return pngFile;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
