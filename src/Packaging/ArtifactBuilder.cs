using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using GluePipeline.Diagnostics;
using GluePipeline.Repository;

namespace GluePipeline.Packaging;

/// <summary>What to package.</summary>
/// <param name="RepositoryRoot">The repository root.</param>
/// <param name="Name">The artifact name (lowercase letters, digits, dashes).</param>
/// <param name="Version">The version to use instead of the derived one, or null.</param>
/// <param name="OutputDirectory">Where the zip and its manifest go (usually <c>artifacts/</c>).</param>
public sealed record PackageRequest(string RepositoryRoot, string Name, string? Version, string OutputDirectory);

/// <summary>A packaged artifact.</summary>
/// <param name="ZipPath">The zip, <c>&lt;name&gt;-&lt;version&gt;.zip</c>.</param>
/// <param name="ManifestPath">The manifest beside it, <c>&lt;name&gt;-&lt;version&gt;.manifest.json</c>.</param>
/// <param name="Manifest">The manifest.</param>
public sealed record PackagedArtifact(string ZipPath, string ManifestPath, ArtifactManifest Manifest)
{
    /// <summary>The manifest path that belongs beside a zip.</summary>
    public static string ManifestPathFor(string zipPath) =>
        Path.Combine(Path.GetDirectoryName(zipPath) ?? ".", Path.GetFileNameWithoutExtension(zipPath) + ".manifest.json");
}

/// <summary>
/// Builds the deterministic artifact: the product files (<see cref="ProductFiles"/>) with the bytes
/// as committed, in a zip whose entries are sorted, stamped with the commit time and given fixed
/// permissions, so the same commit gives the same bytes whatever the clone's path, umask, time zone
/// or file times. A dirty tree still packages (its changed files from the work tree) and its version
/// says so.
/// </summary>
public sealed partial class ArtifactBuilder(Func<string, string?> environment)
{
    /// <summary>The permissions of every file in the zip (rw-r--r--, regular file).</summary>
    public const int UnixFileMode = 0x81A4; // S_IFREG | 0644

    /// <summary>The zip time stamp when the commit time is unknown: the earliest a zip can hold.</summary>
    public static readonly DateTimeOffset ZipEpoch = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Creates a builder that reads the process environment.</summary>
    public ArtifactBuilder()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    /// <summary>Packages the repository.</summary>
    public async Task<PackagedArtifact> BuildAsync(PackageRequest request, CancellationToken cancellationToken)
    {
        ValidateName(request.Name);
        ValidateLayout(request.RepositoryRoot);

        var revision = await SourceRevision.ResolveAsync(request.RepositoryRoot, request.Version, environment, cancellationToken);
        var paths = await ProductFiles.ListAsync(request.RepositoryRoot, cancellationToken);
        if (paths.Count == 0)
        {
            throw new PipelineInputException(Diagnostic.Error(
                new SourceLocation(request.RepositoryRoot),
                "PKG-EMPTY",
                "There are no files to package under jobs/ or templates/",
                "add the templates and jobs (git add), or check .gitignore"));
        }

        var contents = await ReadContentsAsync(request.RepositoryRoot, paths, revision, cancellationToken);
        var files = paths
            .Select(p => new ArtifactFile(p, Convert.ToHexStringLower(SHA256.HashData(contents[p])), contents[p].LongLength))
            .ToArray();
        var manifest = new ArtifactManifest
        {
            Name = request.Name,
            Version = revision.Version,
            Commit = revision.Commit,
            SourceDate = revision.SourceDate,
            Dirty = revision.Dirty,
            Files = files,
            Digest = ArtifactManifest.ComputeDigest(files),
        };

        var fileName = $"{request.Name}-{revision.Version}";
        if (!SafeFileName().IsMatch(fileName))
        {
            throw new PipelineInputException(Diagnostic.Error(null, "PKG-VERSION", $"The version '{revision.Version}' cannot be part of a file name", "give --version=<semver>"));
        }

        Directory.CreateDirectory(request.OutputDirectory);
        var zipPath = Path.Combine(request.OutputDirectory, fileName + ".zip");
        var manifestPath = PackagedArtifact.ManifestPathFor(zipPath);
        var manifestBytes = manifest.ToJsonBytes();
        var timestamp = ZipTimestamp(revision.SourceDate);

        await WriteAtomicallyAsync(zipPath, stream => WriteZip(stream, manifestBytes, files, contents, timestamp), cancellationToken);
        await WriteAtomicallyAsync(manifestPath, stream => stream.Write(manifestBytes), cancellationToken);
        return new PackagedArtifact(zipPath, manifestPath, manifest);
    }

    private static void ValidateName(string name)
    {
        if (!ArtifactName().IsMatch(name))
        {
            throw new PipelineInputException(Diagnostic.Error(
                new SourceLocation("cake.config"),
                "PKG-NAME",
                $"'{name}' is not a valid artifact name",
                "set [Package] Name= to lowercase letters, digits and dashes, starting with a letter (e.g. glue-etl)"));
        }
    }

    private static void ValidateLayout(string root)
    {
        var missing = ProductFiles.Roots.Where(r => !Directory.Exists(Path.Combine(root, r))).ToArray();
        if (missing.Length > 0)
        {
            throw new PipelineInputException(missing.Select(m => Diagnostic.Error(
                new SourceLocation(Path.Combine(root, m) + "/"),
                "PKG-LAYOUT",
                $"The folder {m}/ does not exist; an artifact holds both jobs/ and templates/",
                m == "templates"
                    ? "add the CloudFormation templates under templates/ (e.g. templates/etl.yaml), or run from the repository root"
                    : "add the Glue jobs under jobs/ (one folder per job), or run from the repository root")));
        }
    }

    private static async Task<Dictionary<string, byte[]>> ReadContentsAsync(string root, IReadOnlyList<string> paths, SourceRevision revision, CancellationToken cancellationToken)
    {
        var git = new Git(root);
        var inGit = revision.Commit is not null && await git.IsWorkTreeAsync(cancellationToken);
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (inGit)
        {
            await RejectSymbolicLinksAsync(git, cancellationToken);
            var committed = paths.Where(p => !revision.DirtyPaths.Contains(p)).ToArray();
            foreach (var (path, bytes) in await git.ReadBlobsAsync("HEAD", committed, cancellationToken))
            {
                contents[path] = bytes;
            }
        }

        foreach (var path in paths.Where(p => !contents.ContainsKey(p)))
        {
            var full = Path.Combine(root, path);
            if (new FileInfo(full).LinkTarget is not null)
            {
                throw SymbolicLink(path);
            }

            contents[path] = await File.ReadAllBytesAsync(full, cancellationToken);
        }

        return contents;
    }

    private static async Task RejectSymbolicLinksAsync(Git git, CancellationToken cancellationToken)
    {
        var staged = await git.RunAsync(["ls-files", "-s", "--", .. ProductFiles.Roots], cancellationToken);
        var link = staged.Split('\n').FirstOrDefault(l => l.StartsWith("120000 ", StringComparison.Ordinal));
        if (link is not null)
        {
            throw SymbolicLink(link[(link.IndexOf('\t', StringComparison.Ordinal) + 1)..]);
        }
    }

    private static PipelineInputException SymbolicLink(string path) =>
        new(Diagnostic.Error(new SourceLocation(path), "PKG-SYMLINK", "Symbolic links are not packaged (their target could change after approval)", "commit the file itself instead of a link"));

    private static DateTimeOffset ZipTimestamp(DateTimeOffset? sourceDate)
    {
        var utc = sourceDate?.ToUniversalTime() ?? ZipEpoch;
        if (utc < ZipEpoch)
        {
            utc = ZipEpoch;
        }

        // Zip stores local clock time with 2-second resolution; the commit's UTC clock time is written
        // with a zero offset so the bytes do not depend on this machine's time zone.
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, utc.Second - (utc.Second % 2), TimeSpan.Zero);
    }

    private static void WriteZip(Stream stream, byte[] manifest, IReadOnlyList<ArtifactFile> files, IReadOnlyDictionary<string, byte[]> contents, DateTimeOffset timestamp)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: Encoding.UTF8);
        AddEntry(zip, ArtifactManifest.EntryName, manifest, timestamp);
        foreach (var file in files)
        {
            AddEntry(zip, file.Path, contents[file.Path], timestamp);
        }
    }

    private static void AddEntry(ZipArchive zip, string name, byte[] content, DateTimeOffset timestamp)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = timestamp;
        entry.ExternalAttributes = UnixFileMode << 16;
        using var stream = entry.Open();
        stream.Write(content);
    }

    /// <summary>Writes to a temporary file beside the target and renames it, so a failure never leaves half a file.</summary>
    private static async Task WriteAtomicallyAsync(string path, Action<Stream> write, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp-" + Environment.ProcessId;
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None))
            {
                write(stream);
                await stream.FlushAsync(cancellationToken);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex ArtifactName();

    [GeneratedRegex("^[0-9A-Za-z._+-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeFileName();
}
