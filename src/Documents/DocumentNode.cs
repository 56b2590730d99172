using GluePipeline.Diagnostics;

namespace GluePipeline.Documents;

/// <summary>The kind of value a scalar holds, as YAML or JSON typed it.</summary>
public enum ScalarKind
{
    /// <summary>A string (any quoted scalar, or a plain one that is not a number, boolean or null).</summary>
    String,

    /// <summary>A number.</summary>
    Number,

    /// <summary>true or false.</summary>
    Boolean,

    /// <summary>null, ~ or an empty plain scalar.</summary>
    Null,
}

/// <summary>
/// A node of a parsed YAML or JSON document (a template, an environment file, a job spec) with its
/// position, so that every finding can name the line and column it is about.
/// </summary>
public abstract class DocumentNode(SourceLocation location)
{
    /// <summary>Where the node starts (1-based line and column).</summary>
    public SourceLocation Location { get; } = location;
}

/// <summary>A scalar (string, number, boolean or null).</summary>
public sealed class ScalarNode(SourceLocation location, string value, ScalarKind kind) : DocumentNode(location)
{
    /// <summary>The scalar's text as written (numbers and booleans keep their spelling).</summary>
    public string Value { get; } = value;

    /// <summary>What kind of scalar it is.</summary>
    public ScalarKind Kind { get; } = kind;

    /// <summary>Whether it was written in quotes (its text then starts one column after <see cref="DocumentNode.Location"/>).</summary>
    public bool Quoted { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Value;
}

/// <summary>A sequence (YAML) or array (JSON).</summary>
public sealed class SequenceNode(SourceLocation location, IReadOnlyList<DocumentNode> items) : DocumentNode(location)
{
    /// <summary>The items in order.</summary>
    public IReadOnlyList<DocumentNode> Items { get; } = items;
}

/// <summary>One key and value of a mapping, with the key's own position.</summary>
public sealed record MappingEntry(string Key, SourceLocation KeyLocation, DocumentNode Value);

/// <summary>A mapping (YAML) or object (JSON), in document order.</summary>
public sealed class MappingNode(SourceLocation location, IReadOnlyList<MappingEntry> entries) : DocumentNode(location)
{
    /// <summary>The entries in document order (a repeated key appears once, the last one wins).</summary>
    public IReadOnlyList<MappingEntry> Entries { get; } = entries;

    /// <summary>The value of a key, or null.</summary>
    public DocumentNode? this[string key] => Entries.LastOrDefault(e => e.Key == key)?.Value;

    /// <summary>The entry of a key, or null.</summary>
    public MappingEntry? Entry(string key) => Entries.LastOrDefault(e => e.Key == key);

    /// <summary>Whether the key is present.</summary>
    public bool Has(string key) => Entries.Any(e => e.Key == key);
}
