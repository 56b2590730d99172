using System.Text.Json;
using System.Text.Json.Serialization;

namespace GluePipeline.Jobs;

/// <summary>What a job's bookmark remembers of one source.</summary>
public sealed record SourceBookmark
{
    /// <summary>The input files already processed, as S3 locations.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>The monotonic column, its type and the largest value processed, or null.</summary>
    public ColumnMark? Column { get; init; }
}

/// <summary>The high-water mark of a column bookmark.</summary>
/// <param name="Name">The column.</param>
/// <param name="Type">Its DuckDB type (the value is cast back to it).</param>
/// <param name="Max">The largest value processed, as text.</param>
public sealed record ColumnMark(string Name, string Type, string Max);

/// <summary>A job's bookmark: per source, what was processed; and the run that last moved it.</summary>
public sealed record BookmarkState
{
    /// <summary>Per source.</summary>
    public IReadOnlyDictionary<string, SourceBookmark> Sources { get; init; } = new Dictionary<string, SourceBookmark>();

    /// <summary>The run that wrote this state.</summary>
    public string? RunId { get; init; }

    /// <summary>When it was written.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>
/// Keeps bookmarks in a folder the caller owns (one per stack): <c>&lt;folder&gt;/&lt;job&gt;.bookmark.json</c>,
/// replaced atomically, and only after the run's output was committed.
/// </summary>
public sealed class BookmarkStore(string folder)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The file of a job's bookmark.</summary>
    public string PathOf(string job) => Path.Combine(folder, job + ".bookmark.json");

    /// <summary>The bookmark, or an empty one before the first run.</summary>
    public async Task<BookmarkState> LoadAsync(string job, CancellationToken cancellationToken)
    {
        var path = PathOf(job);
        if (!File.Exists(path))
        {
            return new BookmarkState();
        }

        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<BookmarkState>(stream, Json, cancellationToken) ?? new BookmarkState();
    }

    /// <summary>Replaces the bookmark atomically (write a temp file, then rename over).</summary>
    public async Task SaveAsync(string job, BookmarkState state, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var path = PathOf(job);
        var temp = path + ".tmp";
        await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(state, Json), cancellationToken);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Forgets a job's bookmark (the next run reads everything).</summary>
    public void Reset(string job) => File.Delete(PathOf(job));
}
