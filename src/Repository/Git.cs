using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace GluePipeline.Repository;

/// <summary>
/// Runs git in a working tree. Output is read as bytes so that file contents and NUL-separated
/// listings come back exactly as git wrote them.
/// </summary>
public sealed class Git(string workingDirectory)
{
    /// <summary>The directory git runs in.</summary>
    public string WorkingDirectory { get; } = workingDirectory;

    /// <summary>Whether <see cref="WorkingDirectory"/> is inside a git work tree (and git is installed).</summary>
    public async Task<bool> IsWorkTreeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var result = await RunRawAsync(["rev-parse", "--is-inside-work-tree"], null, cancellationToken);
            return result.ExitCode == 0 && Encoding.UTF8.GetString(result.Stdout).Trim() == "true";
        }
        catch (Win32Exception)
        {
            return false; // git is not installed
        }
    }

    /// <summary>Runs git and returns stdout as text; throws <see cref="GitCommandException"/> on a non-zero exit.</summary>
    public async Task<string> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var bytes = await RunBytesAsync(arguments, null, cancellationToken);
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Runs git (optionally feeding stdin) and returns stdout as bytes; throws on a non-zero exit.</summary>
    public async Task<byte[]> RunBytesAsync(IReadOnlyList<string> arguments, byte[]? stdin, CancellationToken cancellationToken)
    {
        var result = await RunRawAsync(arguments, stdin, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new GitCommandException(string.Join(' ', arguments), result.ExitCode, result.Stderr);
        }

        return result.Stdout;
    }

    /// <summary>Runs git and returns exit code, stdout bytes and stderr text without throwing on failure.</summary>
    public async Task<(int ExitCode, byte[] Stdout, string Stderr)> RunRawAsync(IReadOnlyList<string> arguments, byte[]? stdin, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };

        // Predictable output whatever the user's configuration: no pager, no localisation, no quoting of paths.
        start.Environment["GIT_PAGER"] = "cat";
        start.Environment["LC_ALL"] = "C";
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("core.quotepath=off");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new GitCommandException("git could not be started");
        var stdoutTask = ReadAllAsync(process.StandardOutput.BaseStream, cancellationToken);
        var stderrTask = process.StandardError.ReadToEndAsync(cancellationToken);
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin, cancellationToken);
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdoutTask, await stderrTask);
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>
    /// Reads committed file contents in one <c>git cat-file --batch</c> call: the bytes exactly as
    /// committed, whatever line-ending or filter settings the work tree has.
    /// </summary>
    /// <param name="revision">The revision, e.g. <c>HEAD</c>.</param>
    /// <param name="paths">Repository-relative paths.</param>
    /// <param name="cancellationToken">Cancels git.</param>
    public async Task<IReadOnlyDictionary<string, byte[]>> ReadBlobsAsync(string revision, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (paths.Count == 0)
        {
            return result;
        }

        var request = Encoding.UTF8.GetBytes(string.Concat(paths.Select(p => $"{revision}:{p}\n")));
        var output = await RunBytesAsync(["cat-file", "--batch"], request, cancellationToken);
        var position = 0;
        foreach (var path in paths)
        {
            var headerEnd = Array.IndexOf(output, (byte)'\n', position);
            var header = Encoding.UTF8.GetString(output, position, headerEnd - position);
            var parts = header.Split(' ');
            if (parts.Length != 3 || parts[1] != "blob")
            {
                throw new GitCommandException($"git cat-file could not read {revision}:{path} ({header})");
            }

            var size = int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
            result[path] = output.AsSpan(headerEnd + 1, size).ToArray();
            position = headerEnd + 1 + size + 1;
        }

        return result;
    }
}
