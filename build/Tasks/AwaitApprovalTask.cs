using Cake.Core.Diagnostics;
using GluePipeline.Approval;
using GluePipeline.Build.Hosting;
using GluePipeline.Diagnostics;

namespace GluePipeline.Build.Tasks;

/// <summary>A person approves the exact artifact digest; nothing is promoted without it.</summary>
[TaskName("AwaitApproval")]
[TaskDescription("Approve or reject the artifact digest: prompt on a terminal, else --approve / --reject (neither: not approved); records who, when, digest and verdict; fails closed. aws with PIPELINE_CODEPIPELINE: answers that pipeline's manual approval for the digest its LiveTest tested.")]
[IsDependentOn(typeof(AutomatedLiveTestTask))]
public sealed class AwaitApprovalTask : AsyncFrostingTask<BuildContext>
{
    /// <summary>The variable naming the CodePipeline whose manual approval the aws lane answers.</summary>
    public const string PipelineVariable = "PIPELINE_CODEPIPELINE";

    /// <inheritdoc/>
    public override async Task RunAsync(BuildContext context)
    {
        var approve = context.Arguments.GetArguments("approve").Any(v => v == "true");
        var reject = context.Arguments.GetArguments("reject").Any(v => v == "true");
        if (approve && reject)
        {
            throw new HostUsageException("--approve --reject", "ARG-APPROVAL", "--approve and --reject were both given", "give one of them (or neither, for \"not approved\")");
        }

        // In the aws lane with a CodePipeline, the approval may be answered from anywhere for the digest the
        // pipeline's LiveTest exported: --digest says which one the person approves.
        var pipeline = context.Lane == Lane.Aws && Environment.GetEnvironmentVariable(PipelineVariable) is { Length: > 0 } named ? named : null;
        var (zip, digest, version, commit) = context.PackagedArtifact is { } packaged
            ? (packaged.ZipPath, packaged.Manifest.Digest, packaged.Manifest.Version, (string?)packaged.Manifest.Commit)
            : pipeline is not null && context.ExpectedDigest is { } given ? ("(the pipeline's artifact)", given, (string?)null, (string?)null)
            : throw new PipelineInputException(Diagnostic.Error(new SourceLocation("--target=AwaitApproval"), "APPROVAL-ARTIFACT", "There is no artifact to approve in this run", pipeline is null ? "run AwaitApproval with its dependencies (Package and the LiveTest stage)" : "give the digest the pipeline's LiveTest exported: --digest=<sha256>"));
        var live = context.LiveTest is { } result
            ? $"LiveTest {result.Stack}: {result.Stages.Count(s => s.Outcome == GluePipeline.Stacks.StageOutcome.Passed)} stages passed, {result.Stages.Count(s => s.Outcome == GluePipeline.Stacks.StageOutcome.Skipped)} skipped; data work {result.DataWork.TotalSeconds:0.0} s"
            : "LiveTest: not run in this run";
        var summary = $"Artifact {Path.GetFileName(zip)}{Environment.NewLine}  version {version}, commit {commit ?? "(unknown)"}{Environment.NewLine}  digest  {digest}{Environment.NewLine}  {live}";
        context.Log.Information("{0}", summary);

        var terminal = !Console.IsInputRedirected && !Console.IsOutputRedirected ? new ConsolePrompt() : null;
        var (verdict, how) = ApprovalGate.Decide(approve, reject, terminal, summary);
        var record = new ApprovalRecord(digest, version, commit, verdict, BuildContext.Who, DateTimeOffset.UtcNow, how, context.LiveTest?.Stack, summary);
        new ApprovalStore(context.ApprovalsDirectory).Append(record);
        context.Approval = record;
        context.Log.Information("Verdict: {0} ({1}, by {2}) for {3}", verdict switch { Verdict.Approved => "APPROVED", Verdict.Rejected => "REJECTED", _ => "NOT APPROVED" }, how, record.Who, digest);
        if (pipeline is not null && verdict != Verdict.NotApproved)
        {
            await AnswerPipelineAsync(context, pipeline, record);
        }

        if (verdict == Verdict.Rejected)
        {
            throw new TargetFailedException($"{digest} was rejected by {record.Who}: not promoted");
        }
    }

    /// <summary>Answers the pipeline's manual approval action with this verdict, for the digest its LiveTest tested.</summary>
    private static async Task AnswerPipelineAsync(BuildContext context, string pipeline, ApprovalRecord record)
    {
        var aws = await context.AwsAsync();
        if (aws.Plan is { } plan)
        {
            // A plan has no pipeline to ask: it assumes one waiting at its approval for this digest.
            plan.PipelineDigest = record.Digest;
        }

        var approval = new GluePipeline.Aws.CodePipelineApproval(aws.CodePipeline, line => context.Log.Information("{0}", line));
        var target = new GluePipeline.Aws.PipelineApprovalTarget(pipeline);
        try
        {
            await approval.AnswerAsync(target, GluePipeline.Aws.ApprovalAnswer.From(record), record.Digest, context.CancellationToken);
            context.Log.Information("Answered {0}: {1}", target, record.Verdict);
        }
        catch (Exception ex) when (ex is GluePipeline.Aws.ApprovalNotPendingException or GluePipeline.Aws.ApprovalRefusedException)
        {
            throw new TargetFailedException($"{target}: {ex.Message}");
        }
    }

    /// <summary>The terminal, when stdin and stdout both are one.</summary>
    private sealed class ConsolePrompt : IApprovalPrompt
    {
        public void Show(string text) => Console.Out.Write(text);

        public string? Answer() => Console.In.ReadLine();
    }
}
