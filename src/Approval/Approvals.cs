using System.Text.Json;
using System.Text.Json.Serialization;

namespace GluePipeline.Approval;

/// <summary>What a person decided about an artifact digest.</summary>
public enum Verdict
{
    /// <summary>Promote it.</summary>
    Approved,

    /// <summary>Nobody said yes (no terminal and no flag): nothing is promoted, the run still succeeds.</summary>
    NotApproved,

    /// <summary>Someone said no: the run fails.</summary>
    Rejected,
}

/// <summary>An approval decision, bound to the exact artifact digest.</summary>
/// <param name="Digest">The artifact digest decided on.</param>
/// <param name="Version">The artifact's version.</param>
/// <param name="Commit">Its commit.</param>
/// <param name="Verdict">The decision.</param>
/// <param name="Who">Who decided (the user, or the CI principal).</param>
/// <param name="When">When.</param>
/// <param name="How">prompt, --approve, --reject, or "no terminal and no flag".</param>
/// <param name="Stack">The LiveTest stack the decision was made on.</param>
/// <param name="Summary">What the person was shown.</param>
public sealed record ApprovalRecord(string Digest, string? Version, string? Commit, Verdict Verdict, string Who, DateTimeOffset When, string How, string? Stack, string? Summary);

/// <summary>Asks a person at a terminal.</summary>
public interface IApprovalPrompt
{
    /// <summary>Shows text.</summary>
    void Show(string text);

    /// <summary>Reads the answer (null at end of input).</summary>
    string? Answer();
}

/// <summary>
/// The approval gate (ARCHITECTURE, "Approval"): it prompts only when stdin and stdout are both
/// terminals; otherwise <c>--approve</c> approves, <c>--reject</c> rejects, and neither means "not
/// approved". It fails closed: anything but an explicit yes is not an approval.
/// </summary>
public static class ApprovalGate
{
    /// <summary>Decides, and says how.</summary>
    public static (Verdict Verdict, string How) Decide(bool approve, bool reject, IApprovalPrompt? terminal, string summary)
    {
        if (approve && reject)
        {
            throw new ArgumentException("--approve and --reject were both given");
        }

        if (approve)
        {
            return (Verdict.Approved, "--approve");
        }

        if (reject)
        {
            return (Verdict.Rejected, "--reject");
        }

        if (terminal is null)
        {
            return (Verdict.NotApproved, "no terminal and no --approve/--reject");
        }

        terminal.Show(summary + Environment.NewLine + "Promote this artifact to production? [y]es / [n]o, not now / [r]eject: ");
        var answer = terminal.Answer()?.Trim().ToLowerInvariant();
        return answer switch
        {
            "y" or "yes" => (Verdict.Approved, "prompt"),
            "r" or "reject" => (Verdict.Rejected, "prompt"),
            _ => (Verdict.NotApproved, "prompt"),
        };
    }
}

/// <summary>
/// The approval records: <c>approvals.jsonl</c> (every decision, appended) in a folder the caller
/// owns (<c>.pipeline/approvals</c> locally). Promotion reads it: only an approved digest goes out.
/// </summary>
public sealed class ApprovalStore(string folder)
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The records file.</summary>
    public string Path => System.IO.Path.Combine(folder, "approvals.jsonl");

    /// <summary>Appends a decision.</summary>
    public void Append(ApprovalRecord record)
    {
        Directory.CreateDirectory(folder);
        File.AppendAllText(Path, JsonSerializer.Serialize(record, Json) + "\n");
    }

    /// <summary>Every decision, oldest first.</summary>
    public IReadOnlyList<ApprovalRecord> All() =>
        File.Exists(Path)
            ? File.ReadAllLines(Path).Where(l => l.Trim().Length > 0).Select(l => JsonSerializer.Deserialize<ApprovalRecord>(l, Json)!).ToArray()
            : [];

    /// <summary>Whether a digest was approved (its latest decision is an approval).</summary>
    public bool IsApproved(string digest) => All().LastOrDefault(r => r.Digest == digest)?.Verdict == Verdict.Approved;
}
