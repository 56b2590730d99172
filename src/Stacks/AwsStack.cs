using System.Globalization;
using System.IO.Compression;
using GluePipeline.Aws;
using GluePipeline.Diagnostics;
using GluePipeline.Linting;
using GluePipeline.Packaging;
using GluePipeline.Templates;

namespace GluePipeline.Stacks;

/// <summary>What to deploy to CloudFormation.</summary>
/// <param name="StackName">The stack (LiveTest: from the branch or PR and the checkout).</param>
/// <param name="ArtifactZip">The verified artifact; its template and environment file are what is deployed.</param>
/// <param name="ArtifactBucket">The artifact bucket (<c>PIPELINE_ARTIFACT_BUCKET</c>): the template goes there when it is over 51,200 bytes.</param>
/// <param name="Template">The template's path in the artifact.</param>
/// <param name="Environment">The environment (its file is <c>templates/environments/&lt;env&gt;.json</c>).</param>
public sealed record AwsDeployRequest(string StackName, string ArtifactZip, string? ArtifactBucket, string Template = RepositoryLinter.MainTemplate, string Environment = "livetest")
{
    /// <summary>Tags of the run (owner, branch); the pipeline, commit, digest and expiry tags are added from the artifact.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>How long a LiveTest stack may live before Sweep deletes it; null for production (no expiry tag).</summary>
    public TimeSpan? Lifetime { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The clock.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Sees the change set's changes before they are executed; throwing leaves the stack as it was (guarded promotion).</summary>
    public Func<IReadOnlyList<ResourceChange>, Task>? Review { get; init; }
}

/// <summary>A deployed CloudFormation stack.</summary>
/// <param name="Stack">The stack.</param>
/// <param name="Action">CREATE, UPDATE or NONE.</param>
/// <param name="Status">Its final status.</param>
/// <param name="Outputs">Its outputs, secrets masked.</param>
/// <param name="Parameters">The parameters sent, secrets masked.</param>
/// <param name="Capabilities">The capabilities acknowledged.</param>
/// <param name="Tags">The stack's tags.</param>
/// <param name="TemplateUrl">Where the template was uploaded, when it was too large to send inline.</param>
public sealed record AwsDeployment(string Stack, string Action, string Status, IReadOnlyDictionary<string, string> Outputs, IReadOnlyDictionary<string, string> Parameters, IReadOnlyList<string> Capabilities, IReadOnlyDictionary<string, string> Tags, string? TemplateUrl);

/// <summary>What Sweep did in the account.</summary>
/// <param name="Removed">Deleted stacks, each with its expiry.</param>
/// <param name="Kept">LiveTest stacks left alone (not expired), each with why.</param>
/// <param name="Failed">Stacks that could not be deleted, each with the reason.</param>
public sealed record AwsSweepResult(IReadOnlyList<string> Removed, IReadOnlyList<string> Kept, IReadOnlyList<string> Failed);

/// <summary>
/// The aws lane's stacks: the artifact's template deployed through CloudFormation change sets with the
/// environment file's parameters (secrets from <c>PIPELINE_PARAM_&lt;Name&gt;</c>, never logged), the
/// capabilities the template needs, and tags that say whose it is and when it expires; torn down with
/// its buckets emptied when they hold objects; swept when the expiry has passed.
/// </summary>
public static class AwsStack
{
    /// <summary>The tag every stack of ours carries: the artifact's name.</summary>
    public const string PipelineTag = "pipeline";

    /// <summary>The tag with the time after which Sweep deletes a LiveTest stack (ISO 8601, UTC). Production has none.</summary>
    public const string ExpiryTag = "expiry";

    /// <summary>The capabilities a template needs acknowledged: IAM (NAMED_IAM when a resource names itself), AUTO_EXPAND for transforms.</summary>
    public static IReadOnlyList<string> Capabilities(CfnTemplate template)
    {
        string[] named = ["RoleName", "UserName", "GroupName", "ManagedPolicyName", "InstanceProfileName"];
        var iam = template.Resources.Values.Where(r => r.Type?.StartsWith("AWS::IAM::", StringComparison.Ordinal) == true).ToArray();
        var capabilities = new List<string>();
        if (iam.Any(r => named.Any(n => r.Properties?.Has(n) == true)))
        {
            capabilities.Add("CAPABILITY_NAMED_IAM");
        }
        else if (iam.Length > 0)
        {
            capabilities.Add("CAPABILITY_IAM");
        }

        if (template.Transforms.Count > 0 || template.Resources.Values.Any(r => r.Type == "AWS::CloudFormation::Stack"))
        {
            capabilities.Add("CAPABILITY_AUTO_EXPAND");
        }

        return capabilities;
    }

    /// <summary>Deploys the artifact's template to a stack and waits for it; bad input fails before anything is sent.</summary>
    public static async Task<AwsDeployment> DeployAsync(AwsDeployRequest request, AwsClients aws, Action<string> log, CancellationToken cancellationToken, TimeSpan? poll = null, TimeSpan? deadline = null)
    {
        var time = request.Time ?? TimeProvider.System;
        var unpacked = Directory.CreateTempSubdirectory("pipeline-stack-");
        try
        {
            ArtifactManifest manifest;
            using (var zip = ZipFile.OpenRead(request.ArtifactZip))
            {
                (manifest, _) = await ArtifactManifest.ReadAsync(zip, request.ArtifactZip, cancellationToken);

                foreach (var file in zip.Entries.Where(e => e.FullName.StartsWith("templates/", StringComparison.Ordinal) && !e.FullName.EndsWith('/')))
                {
                    var target = Path.Combine(unpacked.FullName, file.FullName);
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    file.ExtractToFile(target);
                }
            }

            var prefix = ArtifactPrefix(manifest);
            var run = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [RunParameters.NameSuffix] = StackNames.NameSuffix(request.StackName),
                [RunParameters.ArtifactPrefix] = prefix,
            };
            if (request.ArtifactBucket is { } bucket)
            {
                run[RunParameters.ArtifactBucket] = bucket;
            }

            var inputs = await StackInputs.ReadAsync(unpacked.FullName, request.Template, request.Environment, run, cancellationToken: cancellationToken);
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in inputs.EnvironmentTags.Concat(request.Tags))
            {
                tags[key] = value;
            }

            tags[PipelineTag] = manifest.Name;
            tags["version"] = manifest.Version;
            tags["commit"] = manifest.Commit ?? "unknown";
            tags["digest"] = manifest.Digest;
            if (request.Lifetime is { } lifetime)
            {
                tags[ExpiryTag] = (time.GetUtcNow() + lifetime).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            }

            return await DeployInputsAsync(request.StackName, request.Template, inputs, tags, (request.ArtifactBucket, $"{prefix}/{request.Template}"), aws, log, cancellationToken, request.Review, time, poll, deadline);
        }
        finally
        {
            unpacked.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Deploys the CI/CD pipeline stack (<c>templates/pipeline.yaml</c>) from the working tree: it
    /// makes the artifact bucket everything else needs, so it cannot come from a published artifact.
    /// Parameters from <c>templates/environments/pipeline.json</c>, then <c>PIPELINE_PARAM_&lt;Name&gt;</c>; tagged with the pipeline and commit, never
    /// with an expiry (Sweep leaves it alone).
    /// </summary>
    public static async Task<AwsDeployment> DeployPipelineAsync(string repositoryRoot, string stackName, string pipeline, string? commit, AwsClients aws, Action<string> log, CancellationToken cancellationToken, TimeSpan? poll = null, TimeSpan? deadline = null)
    {
        var inputs = await StackInputs.ReadAsync(repositoryRoot, RepositoryLinter.PipelineTemplate, "pipeline", new Dictionary<string, string>(StringComparer.Ordinal) { ["ProjectName"] = pipeline }, cancellationToken: cancellationToken);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [PipelineTag] = pipeline,
            ["role"] = "pipeline",
            ["commit"] = commit ?? "unknown",
        };
        return await DeployInputsAsync(stackName, RepositoryLinter.PipelineTemplate, inputs, tags, null, aws, log, cancellationToken, null, TimeProvider.System, poll, deadline, ownPermissions: true);
    }

    /// <summary>One deployment of evaluated inputs: a large template uploaded, capabilities, a change set, secrets masked in what is printed.</summary>
    private static async Task<AwsDeployment> DeployInputsAsync(string stackName, string templateName, StackInputs inputs, IReadOnlyDictionary<string, string> tags, (string? Bucket, string Key)? upload, AwsClients aws, Action<string> log, CancellationToken cancellationToken, Func<IReadOnlyList<ResourceChange>, Task>? review, TimeProvider time, TimeSpan? poll, TimeSpan? deadline, bool ownPermissions = false)
    {
        var mask = inputs.Mask();
        aws.Plan?.AddSecrets(inputs.Secrets.Select(inputs.Text));
        string? templateUrl = null;
        if (inputs.TemplateBytes.Length > StackDeployRequest.MaxTemplateBody)
        {
            if (upload is not ({ } bucket, var key))
            {
                throw new PipelineInputException(Diagnostic.Error(new SourceLocation(templateName), "STACK-TEMPLATE-SIZE", $"The template is {inputs.TemplateBytes.Length:N0} bytes, over CloudFormation's 51,200-byte limit for an inline template, and no artifact bucket is set to upload it to", "set PIPELINE_ARTIFACT_BUCKET to a bucket this role can write (the pipeline stack's artifact bucket)"));
            }

            await aws.S3.PutObjectAsync(bucket, key, inputs.TemplateBytes, "application/x-yaml", cancellationToken);
            templateUrl = aws.S3.ObjectUri(bucket, key).ToString();
            log($"The template is {inputs.TemplateBytes.Length:N0} bytes (over 51,200): uploaded to {templateUrl}");
        }

        var capabilities = Capabilities(inputs.Template);
        var deployer = aws.Deployer(line => log(mask.Mask(line)), poll, deadline, time, ownPermissions);
        StackDeployResult result;
        try
        {
            result = await deployer.DeployAsync(
                new StackDeployRequest(stackName, System.Text.Encoding.UTF8.GetString(inputs.TemplateBytes), inputs.Texts(), capabilities, tags) { TemplateUrl = templateUrl },
                cancellationToken,
                review);
        }
        catch (StackDeployException ex)
        {
            throw new StackDeployException(mask.Mask(ex.Message), ex.Failed);
        }

        return new AwsDeployment(result.Stack, result.Action, result.Status, result.Outputs.ToDictionary(o => o.Key, o => mask.Mask(o.Value), StringComparer.Ordinal), inputs.MaskedTexts(), capabilities, tags, templateUrl);
    }

    /// <summary>
    /// Deletes a LiveTest stack and waits until it is gone (false when there was none). A stack without
    /// an expiry tag is not a LiveTest stack (production has none) and is refused.
    /// </summary>
    public static async Task<bool> TeardownAsync(string stackName, AwsClients aws, Action<string> log, CancellationToken cancellationToken, TimeSpan? poll = null, TimeSpan? deadline = null)
    {
        var deployer = aws.Deployer(log, poll, deadline);
        if (await deployer.DescribeAsync(stackName, cancellationToken) is not { } stack)
        {
            return false;
        }

        if (!CloudFormationDeployer.Tags(stack).ContainsKey(ExpiryTag))
        {
            throw new PipelineInputException(Diagnostic.Error(new SourceLocation("--stack"), "STACK-NOT-LIVETEST", $"{stackName} has no {ExpiryTag} tag, so it is not a LiveTest stack this pipeline made; it is left alone", "name the LiveTest stack (livetest-...), or delete other stacks with the AWS console or CLI"));
        }

        await deployer.DeleteExistingAsync(stackName, cancellationToken);
        return true;
    }

    /// <summary>Deletes every stack of this pipeline whose expiry tag has passed; stacks without one (production, others') are never touched.</summary>
    public static async Task<AwsSweepResult> SweepAsync(string pipeline, AwsClients aws, Action<string> log, CancellationToken cancellationToken, TimeProvider? time = null, TimeSpan? poll = null, TimeSpan? deadline = null)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var deployer = aws.Deployer(log, poll, deadline, time);
        List<string> removed = [], kept = [], failed = [];
        foreach (var stack in await deployer.ListAsync(cancellationToken))
        {
            var name = (string?)stack["StackName"] ?? string.Empty;
            var tags = CloudFormationDeployer.Tags(stack);
            if (tags.GetValueOrDefault(PipelineTag) != pipeline || !tags.TryGetValue(ExpiryTag, out var expiry) || (string?)stack["StackStatus"] == "DELETE_IN_PROGRESS")
            {
                continue;
            }

            if (!DateTimeOffset.TryParse(expiry, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expires))
            {
                kept.Add($"{name} (its expiry tag '{expiry}' is not a time)");
                continue;
            }

            if (expires > now)
            {
                kept.Add($"{name} (expires {expiry})");
                continue;
            }

            try
            {
                await deployer.DeleteExistingAsync(name, cancellationToken);
                removed.Add($"{name} (expired {expiry})");
            }
            catch (Exception ex) when (ex is StackDeployException or AwsException)
            {
                failed.Add($"{name}: {ex.Message}");
            }
        }

        return new AwsSweepResult(removed, kept, failed);
    }

    /// <summary>Where an artifact is published in the artifact bucket: name/version/digest (issue #15 uploads there).</summary>
    /// <remarks>Characters S3 and Glue's script paths treat specially (the <c>+</c> of semver build metadata) become <c>_</c>.</remarks>
    public static string ArtifactPrefix(ArtifactManifest manifest) => ArtifactPrefix(manifest.Name, manifest.Version, manifest.Digest);

    /// <summary>Where the artifact of this name, version and digest is published.</summary>
    public static string ArtifactPrefix(string name, string version, string digest) => $"{KeySafe(name)}/{KeySafe(version)}/{digest[..Math.Min(16, digest.Length)]}";

    private static string KeySafe(string text) => string.Concat(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
}
