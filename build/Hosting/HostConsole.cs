using System.Globalization;
using Cake.Core;

namespace GluePipeline.Build.Hosting;

/// <summary>
/// A Cake console over two writers, so that tests can drive the host in-process and read what a
/// user would see on stdout and stderr.
/// </summary>
public sealed class HostConsole(TextWriter output, TextWriter error) : IConsole
{
    /// <inheritdoc/>
    public ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;

    /// <inheritdoc/>
    public ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

    /// <inheritdoc/>
    public bool SupportAnsiEscapeCodes => false;

    /// <inheritdoc/>
    public void Write(string format, params object[] arg) => output.Write(Format(format, arg));

    /// <inheritdoc/>
    public void Write(string value) => output.Write(value);

    /// <inheritdoc/>
    public void WriteLine(string format, params object[] arg) => output.WriteLine(Format(format, arg));

    /// <inheritdoc/>
    public void WriteLine(string value) => output.WriteLine(value);

    /// <inheritdoc/>
    public void WriteError(string format, params object[] arg) => error.Write(Format(format, arg));

    /// <inheritdoc/>
    public void WriteError(string value) => error.Write(value);

    /// <inheritdoc/>
    public void WriteErrorLine(string format, params object[] arg) => error.WriteLine(Format(format, arg));

    /// <inheritdoc/>
    public void WriteErrorLine(string value) => error.WriteLine(value);

    /// <inheritdoc/>
    public void ResetColor()
    {
        ForegroundColor = ConsoleColor.Gray;
        BackgroundColor = ConsoleColor.Black;
    }

    private static string Format(string format, object[] arg) =>
        arg.Length == 0 ? format : string.Format(CultureInfo.InvariantCulture, format, arg);
}
