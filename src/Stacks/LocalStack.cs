using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using GluePipeline.Catalog;
using GluePipeline.Data;
using GluePipeline.Diagnostics;
using GluePipeline.Jobs;
using GluePipeline.Linting;
using GluePipeline.Repository;
using GluePipeline.Templates;
using GluePipeline.Templates.Rules;

namespace GluePipeline.Stacks;

/// <summary>What to deploy locally.</summary>
/// <param name="StackName">The stack's name (<see cref="StackNames.LiveTest"/>).</param>
/// <param name="StateRoot">The folder that holds a folder per local stack (<c>.pipeline/stacks</c>, git-ignored).</param>
/// <param name="Template">The template inside the artifact, e.g. <c>templates/etl.yaml</c>.</param>
/// <param name="Environment">The environment (its file is <c>templates/environments/&lt;env&gt;.json</c> in the artifact).</param>
public sealed record LocalDeployRequest(string StackName, string StateRoot, string Template = RepositoryLinter.MainTemplate, string Environment = "livetest")
{
    /// <summary>The artifact zip to deploy (its bytes are what the jobs run).</summary>
    public string? ArtifactZip { get; init; }

    /// <summary>Instead of a zip: a folder laid out like the artifact (tests).</summary>
    public string? ArtifactDirectory { get; init; }

    /// <summary>The artifact's digest.</summary>
    public string? ArtifactDigest { get; init; }

    /// <summary>The stack's tags (owner, branch, commit).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>How long the stack may live before Sweep removes it.</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The clock.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>
    /// True (LiveTest): the stack starts from nothing. False (production): buckets, catalog and
    /// bookmarks stay; the artifact and the resources' definitions are updated in place.
    /// </summary>
    public bool Replace { get; init; } = true;

    /// <summary>
    /// To mirror a stack deployed elsewhere (the aws lane's): its account and region, so that names
    /// built from them come out as CloudFormation made them. Null: the placeholder account.
    /// </summary>
    public PseudoParameters? Pseudo { get; init; }

    /// <summary>To mirror a deployed stack: its physical ids by logical id (ListStackResources), used before any name the template gives.</summary>
    public IReadOnlyDictionary<string, string> PhysicalIds { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// To mirror a deployed stack: the parameter values it was deployed with (DescribeStacks; NoEcho
    /// ones masked), over the environment file and <c>PIPELINE_PARAM_</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> DeployedParameters { get; init; } = new Dictionary<string, string>();

    /// <summary>To mirror a deployed stack: the ArtifactBucket and ArtifactPrefix it was given (its jobs read their specs there). Null: the local artifact bucket.</summary>
    public (string Bucket, string Prefix)? Artifact { get; init; }
}

/// <summary>A deployed local stack: its manifest, where that is, and what the lane could not emulate.</summary>
/// <param name="Manifest">The run manifest.</param>
/// <param name="ManifestPath">Where it is written.</param>
/// <param name="Warnings">Resources not emulated, each with what to do.</param>
public sealed record LocalDeployment(RunManifest Manifest, string ManifestPath, IReadOnlyList<Diagnostic> Warnings);

/// <summary>
/// The local lane's deployer: interprets the template with the environment's parameters through the
/// template model, as CloudFormation would, and makes each resource locally: buckets are folders,
/// Glue databases and tables a local catalog, crawlers the local crawler, declarative jobs the DuckDB
/// runtime, triggers the run order, DataQualityRulesets rules on their tables. IAM is checked (by
/// Lint), not enforced. What cannot be emulated - code in Lambda, custom resources, hand-written
/// PySpark jobs - is reported by name with what to do, and never counted as passed. All state lives
/// in one folder per stack.
/// </summary>
public static class LocalStack
{
    /// <summary>Environment variables that give parameters (secrets, typically): <c>PIPELINE_PARAM_DbPassword</c>.</summary>
    public const string ParameterVariable = StackInputs.ParameterVariable;

    /// <summary>The bucket that stands for the artifact bucket locally.</summary>
    public const string ArtifactBucket = "pipeline-artifacts";

    /// <summary>The state folder of a stack.</summary>
    public static string StateDirectory(string stateRoot, string stackName) => Path.Combine(Path.GetFullPath(stateRoot), stackName);

    /// <summary>Deploys (or re-deploys from scratch) a local stack.</summary>
    public static async Task<LocalDeployment> DeployAsync(LocalDeployRequest request, CancellationToken cancellationToken)
    {
        var time = request.Time ?? TimeProvider.System;
        var state = StateDirectory(request.StateRoot, request.StackName);
        var existed = Directory.Exists(state);
        if (existed && request.Replace)
        {
            Directory.Delete(state, recursive: true);
            existed = false;
        }

        var bucketsRoot = Path.Combine(state, "buckets");
        var buckets = new LocalBuckets(bucketsRoot);
        var digest = request.ArtifactDigest ?? "0000000000000000";
        var (artifactBucket, artifactPrefix) = request.Artifact ?? (ArtifactBucket, $"artifact/{digest[..Math.Min(16, digest.Length)]}");
        var artifactFolder = buckets.PathOf($"s3://{artifactBucket}/{artifactPrefix}/");
        try
        {
            if (Directory.Exists(artifactFolder))
            {
                Directory.Delete(artifactFolder, recursive: true);
            }

            PlaceArtifact(request, artifactFolder);
            RunOwner.Write(Path.Combine(state, RunOwner.FileName));
            return await DeployFromArtifactAsync(request, state, buckets, artifactFolder, artifactBucket, artifactPrefix, time, cancellationToken);
        }
        catch
        {
            // Nothing half-done is left behind: a new stack goes away, an updated one keeps its data.
            if (!existed && Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }

            throw;
        }
    }

    /// <summary>Removes a local stack's state; false when there was none.</summary>
    public static bool Teardown(string stateRoot, string stackName)
    {
        var state = StateDirectory(stateRoot, stackName);
        if (!Directory.Exists(state))
        {
            return false;
        }

        Directory.Delete(state, recursive: true);
        return true;
    }

    /// <summary>The manifest of a deployed local stack, or null.</summary>
    public static RunManifest? Find(string stateRoot, string stackName)
    {
        var path = Path.Combine(StateDirectory(stateRoot, stackName), RunManifest.FileName);
        return File.Exists(path) ? RunManifest.Load(path) : null;
    }

    private static void PlaceArtifact(LocalDeployRequest request, string folder)
    {
        Directory.CreateDirectory(folder);
        if (request.ArtifactZip is { } zip)
        {
            ZipFile.ExtractToDirectory(zip, folder);
            return;
        }

        var source = request.ArtifactDirectory ?? throw new ArgumentException("Give the artifact zip or an artifact folder", nameof(request));
        ProductFiles.CopyTree(source, folder);
    }

    private static async Task<LocalDeployment> DeployFromArtifactAsync(LocalDeployRequest request, string state, LocalBuckets buckets, string artifactFolder, string artifactBucket, string artifactPrefix, TimeProvider time, CancellationToken cancellationToken)
    {
        var run = new Dictionary<string, string>
        {
            [RunParameters.NameSuffix] = StackNames.NameSuffix(request.StackName),
            [RunParameters.ArtifactBucket] = artifactBucket,
            [RunParameters.ArtifactPrefix] = artifactPrefix,
        };
        string? Variable(string name) =>
            name.StartsWith(ParameterVariable, StringComparison.Ordinal) && request.DeployedParameters.TryGetValue(name[ParameterVariable.Length..], out var deployed) ? deployed : Environment.GetEnvironmentVariable(name);
        var inputs = await StackInputs.ReadAsync(artifactFolder, request.Template, request.Environment, run, Variable, cancellationToken);
        var template = inputs.Template;
        var values = inputs.Values;
        var secrets = inputs.Mask();
        var pseudo = request.Pseudo ?? new PseudoParameters(request.StackName);
        var resolver = new LocalResolver(pseudo, request.PhysicalIds);
        var evaluator = new TemplateEvaluator(template, values, pseudo, resolver);
        resolver.Evaluate = evaluator.EvaluateProperties;
        var catalog = LocalGlueCatalog.Open(Path.Combine(state, "catalog.json"));
        var deployment = new Deployment(request, template, evaluator, resolver, buckets, catalog, $"s3://{artifactBucket}/{artifactPrefix}/", secrets, inputs.Secrets.ToDictionary(n => n, inputs.Text, StringComparer.Ordinal));
        Directory.CreateDirectory(buckets.BucketFolder(artifactBucket));

        // Databases before tables; everything else in template order.
        foreach (var resource in template.Resources.Values.OrderBy(r => r.Type == "AWS::Glue::Database" ? 0 : r.Type == "AWS::Glue::Table" ? 1 : 2))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!evaluator.IsIncluded(resource))
            {
                continue;
            }

            try
            {
                deployment.Create(resource);
            }
            catch (TemplateEvaluationException ex)
            {
                throw new PipelineInputException(ex.Diagnostic);
            }
        }

        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        var unavailable = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in evaluator.EvaluateOutputs())
        {
            var text = value is CfnScalar scalar ? scalar.AsString() : value.ToString();
            if (LocalResolver.NotEmulatedIn(text) is { } what)
            {
                unavailable[name] = $"it reads {what}, which the local lane does not emulate";
            }
            else
            {
                outputs[name] = secrets.Mask(text);
            }
        }

        var now = time.GetUtcNow();
        var manifest = new RunManifest
        {
            Stack = request.StackName,
            Lane = "local",
            Environment = request.Environment,
            CreatedAt = now,
            ExpiresAt = now + request.Lifetime,
            Tags = request.Tags,
            Artifact = request.ArtifactZip,
            ArtifactDigest = request.ArtifactDigest,
            ArtifactLocation = $"s3://{artifactBucket}/{artifactPrefix}/",
            StateDirectory = state,
            Template = request.Template,
            Parameters = inputs.MaskedTexts(),
            Outputs = outputs,
            Unavailable = unavailable,
            Resources = deployment.Resources,
            Buckets = deployment.Buckets.ToDictionary(b => b, buckets.BucketFolder, StringComparer.Ordinal),
            BucketsRoot = buckets.Root,
            Catalog = Path.Combine(state, "catalog.json"),
            Bookmarks = Path.Combine(state, "bookmarks"),
            Crawlers = deployment.Crawlers,
            Jobs = deployment.Jobs.Select(j => j with { Arguments = j.Arguments.ToDictionary(a => a.Key, a => secrets.Mask(a.Value), StringComparer.Ordinal) }).ToArray(),
            Connections = deployment.Connections,
            Triggers = deployment.Triggers,
            Rulesets = deployment.Rulesets,
        };
        var manifestPath = Path.Combine(state, RunManifest.FileName);
        manifest.Save(manifestPath);
        return new LocalDeployment(manifest, manifestPath, deployment.Warnings);
    }

    /// <summary>One deployment's work: each resource made locally, and what was recorded of it.</summary>
    private sealed class Deployment(LocalDeployRequest request, CfnTemplate template, TemplateEvaluator evaluator, LocalResolver resolver, LocalBuckets buckets, LocalGlueCatalog catalog, string artifactRoot, SecretMask secrets, IReadOnlyDictionary<string, string> secretParameters)
    {
        public List<StackConnection> Connections { get; } = [];

        public List<StackResource> Resources { get; } = [];

        public List<string> Buckets { get; } = [];

        public List<StackCrawler> Crawlers { get; } = [];

        public List<StackJob> Jobs { get; } = [];

        public List<StackTrigger> Triggers { get; } = [];

        public List<StackRuleset> Rulesets { get; } = [];

        public List<Diagnostic> Warnings { get; } = [];

        public void Create(CfnResource resource)
        {
            var properties = evaluator.EvaluateProperties(resource);
            var id = resolver.PhysicalId(resource);
            var type = resource.Type ?? string.Empty;
            switch (type)
            {
                case "AWS::S3::Bucket":
                    Directory.CreateDirectory(buckets.BucketFolder(id));
                    Buckets.Add(id);
                    Add(resource, id, Emulation.Emulated, $"a folder: {buckets.BucketFolder(id)}");
                    break;
                case "AWS::Glue::Database":
                    catalog.CreateDatabase(id, Text(properties, "DatabaseInput", "Description"));
                    Add(resource, id, Emulation.Emulated, "a database of the local catalog");
                    break;
                case "AWS::Glue::Table":
                    CreateTable(resource, properties, id);
                    break;
                case "AWS::Glue::Crawler":
                    CreateCrawler(resource, properties, id);
                    break;
                case "AWS::Glue::Job":
                    CreateJob(resource, properties, id);
                    break;
                case "AWS::Glue::Trigger":
                    CreateTrigger(resource, properties, id);
                    break;
                case "AWS::Glue::Workflow":
                    Add(resource, id, Emulated("its triggers give the run order"));
                    break;
                case "AWS::Glue::DataQualityRuleset":
                    CreateRuleset(resource, properties, id);
                    break;
                case var t when t.StartsWith("AWS::IAM::", StringComparison.Ordinal):
                    Add(resource, id, Emulation.Checked, "IAM is checked by Lint, not enforced locally");
                    break;
                case var t when t.StartsWith("AWS::KMS::", StringComparison.Ordinal) || t == "AWS::S3::BucketPolicy" || t == "AWS::Glue::SecurityConfiguration":
                    Add(resource, id, Emulation.Checked, "checked by Lint; encryption and access policies have no local effect");
                    break;
                case var t when t.StartsWith("AWS::Logs::", StringComparison.Ordinal) || t.StartsWith("AWS::SNS::", StringComparison.Ordinal) ||
                                t.StartsWith("AWS::CloudWatch::", StringComparison.Ordinal) || t.StartsWith("AWS::Events::", StringComparison.Ordinal) ||
                                t.StartsWith("AWS::SSM::", StringComparison.Ordinal) || t == "AWS::Glue::Classifier" || t == "AWS::CloudFormation::WaitConditionHandle":
                    Add(resource, id, Emulation.Recorded, "recorded; no effect on the data flow");
                    break;
                case "AWS::Lambda::Function":
                    NotEmulated(resource, id, $"{resource.LogicalId} (AWS::Lambda::Function) runs code in AWS Lambda, which the local lane does not run", "if the jobs depend on what it does, run this stage in the aws lane (--lane=aws); if it is housekeeping, it has nothing to do here");
                    break;
                case var t when t.StartsWith("Custom::", StringComparison.Ordinal) || t == "AWS::CloudFormation::CustomResource":
                    var backing = resource.Properties?["ServiceToken"] is { } token && new TemplateGraph(template).Referenced(token) is { } lambda ? $", backed by the Lambda function {lambda.LogicalId}" : string.Empty;
                    NotEmulated(resource, id, $"{resource.LogicalId} ({type}{backing}) is a custom resource: its code runs in Lambda, so what it does does not happen locally and its attributes are not available", "if the jobs or tests rely on its effect or attributes, run this stage in the aws lane (--lane=aws); if it is housekeeping (e.g. emptying a bucket on delete), put it under a condition that is false for livetest");
                    break;
                case "AWS::Glue::Connection":
                    CreateConnection(resource, properties, id);
                    break;
                case "AWS::RDS::DBInstance" or "AWS::RDS::DBCluster" or "AWS::Redshift::Cluster" or "AWS::RDS::DBSubnetGroup" or "AWS::Redshift::ClusterSubnetGroup" or "AWS::RDS::DBParameterGroup" or "AWS::Redshift::ClusterParameterGroup":
                    Add(resource, id, Emulation.Recorded, "recorded; the Glue connections that lead to it are served by the local database provider");
                    break;
                default:
                    NotEmulated(resource, id, $"{resource.LogicalId} ({type}) is not emulated by the local lane", "if the data flow depends on it, run this stage in the aws lane (--lane=aws)");
                    break;
            }
        }

        private void CreateTable(CfnResource resource, CfnMap properties, string id)
        {
            var database = Text(properties, "DatabaseName") ?? string.Empty;
            var input = properties["TableInput"] as CfnMap;
            var storage = input?["StorageDescriptor"] as CfnMap;
            var location = Text(storage, "Location");
            if (location is null || !location.StartsWith("s3://", StringComparison.Ordinal))
            {
                Add(resource, id, Emulation.Recorded, "a table without an S3 location (a view or a JDBC table): recorded, not queryable locally");
                return;
            }

            var classification = (Text(input, "Parameters", "classification") ?? Text(storage, "InputFormat") ?? string.Empty).ToLowerInvariant();
            var format = classification.Contains("parquet", StringComparison.Ordinal) ? FileFormat.Parquet : classification.Contains("json", StringComparison.Ordinal) ? FileFormat.Json : FileFormat.Csv;
            var delimiter = Text(storage, "SerdeInfo", "Parameters", "field.delim") ?? Text(storage, "SerdeInfo", "Parameters", "separatorChar") ?? ",";
            catalog.PutTable(database, new LocalTable
            {
                Name = id,
                Location = location,
                Format = format,
                Columns = Columns(storage?["Columns"]),
                PartitionKeys = Columns(input?["PartitionKeys"]),
                Csv = new CsvOptions(Header: Text(input, "Parameters", "skip.header.line.count") == "1", Delimiter: delimiter.Length == 1 ? delimiter : ","),
                CreatedBy = $"template:{resource.LogicalId}",
            });
            Add(resource, id, Emulation.Emulated, $"a table of the local catalog over {location}");
        }

        private void CreateCrawler(CfnResource resource, CfnMap properties, string id)
        {
            var targets = properties["Targets"] as CfnMap;
            var s3 = (targets?["S3Targets"] as CfnList)?.Items.OfType<CfnMap>().Select(t => Text(t, "Path")).OfType<string>().ToArray() ?? [];
            var jdbc = (targets?["JdbcTargets"] as CfnList)?.Items.OfType<CfnMap>()
                .Select(t => new Catalog.JdbcCrawlTarget(Text(t, "ConnectionName") ?? string.Empty, Text(t, "Path") ?? string.Empty, (t["Exclusions"] as CfnList)?.Items.OfType<CfnScalar>().Select(e => e.AsString()).ToArray() ?? []))
                .ToArray() ?? [];
            var others = targets?.Entries.Where(e => e.Key is not "S3Targets" and not "JdbcTargets").Select(e => e.Key).ToArray() ?? [];
            var update = Text(properties, "SchemaChangePolicy", "UpdateBehavior") is not "LOG";
            Crawlers.Add(new StackCrawler(id, resource.LogicalId, Text(properties, "DatabaseName") ?? string.Empty, s3, Text(properties, "TablePrefix") ?? string.Empty, update) { JdbcTargets = jdbc });
            Add(resource, id, Emulation.Emulated, others.Length == 0 ? "the local crawler" : $"the local crawler, for its S3 targets only ({string.Join(", ", others)} are not crawled locally)");
        }

        /// <summary>
        /// A JDBC connection: its engine and database come from the URL (the host is usually an
        /// attribute of a database the lane does not create); the local database provider serves it
        /// per run (DeployLiveTest). Credentials are recorded by where they come from, never by value.
        /// </summary>
        private void CreateConnection(CfnResource resource, CfnMap properties, string id)
        {
            var input = properties["ConnectionInput"] as CfnMap;
            var type = Text(input, "ConnectionType") ?? "JDBC";
            var connectionProperties = input?["ConnectionProperties"] as CfnMap;
            var url = Text(connectionProperties, "JDBC_CONNECTION_URL");
            if (!type.Equals("JDBC", StringComparison.OrdinalIgnoreCase) || url is null)
            {
                NotEmulated(resource, id, $"{resource.LogicalId} is a {type} connection{(url is null ? " without a JDBC_CONNECTION_URL" : string.Empty)}; the local lane serves JDBC connections only", "jobs that use it run in the aws lane");
                return;
            }

            var jdbc = Data.Jdbc.JdbcUrl.TryParse(url);
            var engine = jdbc?.Engine switch
            {
                Data.Jdbc.JdbcEngine.PostgreSql => "postgresql",
                Data.Jdbc.JdbcEngine.MySql => "mysql",
                Data.Jdbc.JdbcEngine.Redshift => "redshift",
                _ => jdbc?.Scheme ?? "unknown",
            };
            var connection = new StackConnection(id, resource.LogicalId, engine, secrets.Mask(url), jdbc?.Database, Credentials(connectionProperties));
            if (jdbc?.LocalKind is null)
            {
                Connections.Add(connection with { Note = $"{engine} is not served locally (PostgreSQL, MySQL and Redshift are)" });
                NotEmulated(resource, id, $"{resource.LogicalId} connects to {(jdbc is null ? $"'{secrets.Mask(url)}', which is not a JDBC URL" : $"a {engine} database")}, which the local lane cannot serve", jdbc is null ? "write JDBC_CONNECTION_URL as jdbc:<postgresql|mysql|redshift>://host:port/database" : "jobs that use it run in the aws lane");
                return;
            }

            Connections.Add(connection with { Note = jdbc.Engine == Data.Jdbc.JdbcEngine.Redshift ? "Redshift is served by PostgreSQL locally (SQL that only Redshift knows fails here)" : null });
            Add(resource, id, Emulation.Emulated, $"a {engine} connection, served per run by the local database provider{(jdbc.Engine == Data.Jdbc.JdbcEngine.Redshift ? " (Redshift by PostgreSQL)" : string.Empty)}");
        }

        private string Credentials(CfnMap? properties)
        {
            if (Text(properties, "SECRET_ID") is { } secret)
            {
                return $"Secrets Manager secret {secret}";
            }

            var password = Text(properties, "PASSWORD");
            if (password is null)
            {
                return "none in the connection (IAM or the driver's defaults)";
            }

            if (password.Contains("{{resolve:secretsmanager:", StringComparison.Ordinal))
            {
                return "Secrets Manager (dynamic reference)";
            }

            if (password.Contains("{{resolve:ssm-secure:", StringComparison.Ordinal))
            {
                return "SSM SecureString (dynamic reference)";
            }

            return secretParameters.FirstOrDefault(p => p.Value == password).Key is { } parameter
                ? $"parameter {parameter} (NoEcho)"
                : "a password written in the template (use a Secrets Manager secret or a NoEcho parameter)";
        }

        private void CreateJob(CfnResource resource, CfnMap properties, string id)
        {
            var command = properties["Command"] as CfnMap;
            var script = Text(command, "ScriptLocation") ?? string.Empty;
            var arguments = (properties["DefaultArguments"] as CfnMap)?.Entries.Where(e => e.Value is CfnScalar).ToDictionary(e => e.Key, e => ((CfnScalar)e.Value).AsString(), StringComparer.Ordinal) ?? [];
            if (script == artifactRoot + RepositoryLinter.RuntimeScript && arguments.TryGetValue("--job_spec", out var spec) && spec.StartsWith(artifactRoot, StringComparison.Ordinal))
            {
                Jobs.Add(new StackJob(id, resource.LogicalId, spec[artifactRoot.Length..], spec, script, arguments, Runnable: true));
                Add(resource, id, Emulation.Emulated, $"the DuckDB runtime, running {spec[artifactRoot.Length..]}");
                return;
            }

            var why = Text(command, "Name") switch
            {
                "pythonshell" => "a Python shell job needs Glue's Python shell: runs in the aws lane",
                "gluestreaming" => "a streaming job needs Glue's streaming runtime: runs in the aws lane",
                _ => "needs Glue's Spark runtime: runs in the aws lane",
            };
            Jobs.Add(new StackJob(id, resource.LogicalId, null, null, script, arguments, Runnable: false, why));
            Add(resource, id, Emulation.Skipped, why + "; its checks are SKIPPED locally, never passed");
        }

        private void CreateTrigger(CfnResource resource, CfnMap properties, string id)
        {
            static IEnumerable<string> Names(CfnValue? list) => (list as CfnList)?.Items.OfType<CfnMap>().Select(i => Text(i, "JobName") is { } job ? $"job:{job}" : Text(i, "CrawlerName") is { } crawler ? $"crawler:{crawler}" : null).OfType<string>() ?? [];
            var after = Names((properties["Predicate"] as CfnMap)?["Conditions"]).ToArray();
            var run = Names(properties["Actions"]).ToArray();
            Triggers.Add(new StackTrigger(id, after, run));
            var type = Text(properties, "Type") ?? "ON_DEMAND";
            Add(resource, id, Emulation.Emulated, after.Length > 0 ? "the run order" : type == "SCHEDULED" ? "its schedule is not emulated: AutomatedLiveTest runs every job once" : "its actions run in the run order");
        }

        private void CreateRuleset(CfnResource resource, CfnMap properties, string id)
        {
            var target = properties["TargetTable"] as CfnMap;
            var ruleset = Text(properties, "Ruleset") ?? string.Empty;
            if (target is null)
            {
                Add(resource, id, Emulation.Recorded, "a ruleset without a target table: evaluated by the job that names it (aws lane)");
                return;
            }

            Rulesets.Add(new StackRuleset(id, resource.LogicalId, Text(target, "DatabaseName") ?? string.Empty, Text(target, "TableName") ?? string.Empty, ruleset));
            Add(resource, id, Emulation.Emulated, $"rules on {Text(target, "DatabaseName")}.{Text(target, "TableName")}, evaluated by AutomatedLiveTest");
        }

        private static (Emulation, string) Emulated(string note) => (Emulation.Emulated, note);

        private void Add(CfnResource resource, string id, (Emulation Emulation, string Note) how) => Add(resource, id, how.Emulation, how.Note);

        private void Add(CfnResource resource, string id, Emulation emulation, string note) =>
            Resources.Add(new StackResource(resource.LogicalId, resource.Type ?? string.Empty, id, emulation, note));

        private void NotEmulated(CfnResource resource, string id, string message, string fix)
        {
            Resources.Add(new StackResource(resource.LogicalId, resource.Type ?? string.Empty, id, Emulation.NotEmulated, $"{message}. Fix: {fix}"));
            Warnings.Add(Diagnostic.Warning(resource.Location, "STACK-NOT-EMULATED", $"{message} (stack {request.StackName})", fix));
        }

        private static List<CatalogColumn> Columns(CfnValue? list) =>
            (list as CfnList)?.Items.OfType<CfnMap>().Select(c => new CatalogColumn(Text(c, "Name") ?? "col", (Text(c, "Type") ?? "string").ToLowerInvariant())).ToList() ?? [];

        private static string? Text(CfnMap? map, params string[] path)
        {
            CfnValue? value = map;
            foreach (var key in path)
            {
                value = (value as CfnMap)?[key];
            }

            return value is CfnScalar scalar ? scalar.AsString() : null;
        }
    }

    /// <summary>
    /// Physical ids as CloudFormation would give them: names from the properties that name a
    /// resource, otherwise <c>stack-logicalid-hash</c>; ARNs built from them. Attributes of
    /// resources whose code does not run locally are markers the deployment reports. When the stack
    /// mirrors one deployed in AWS, the ids CloudFormation gave come first.
    /// </summary>
    private sealed class LocalResolver(PseudoParameters pseudo, IReadOnlyDictionary<string, string> deployed) : IResourceResolver
    {
        private const string Marker = "<not emulated: ";
        private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);
        private readonly HashSet<string> _resolving = new(StringComparer.Ordinal);

        public Func<CfnResource, CfnMap>? Evaluate { get; set; }

        public static string? NotEmulatedIn(string text)
        {
            var at = text.IndexOf(Marker, StringComparison.Ordinal);
            return at < 0 ? null : text[(at + Marker.Length)..text.IndexOf('>', at)];
        }

        public CfnValue? Ref(CfnResource resource) => CfnValue.String(PhysicalId(resource));

        public CfnValue? GetAtt(CfnResource resource, string attribute)
        {
            var type = resource.Type ?? string.Empty;
            if (type.StartsWith("Custom::", StringComparison.Ordinal) || type == "AWS::CloudFormation::CustomResource")
            {
                return CfnValue.String($"{Marker}{resource.LogicalId}.{attribute}>");
            }

            var id = PhysicalId(resource);
            var (region, account) = (pseudo.Region, pseudo.AccountId);
            return CfnValue.String((type, attribute) switch
            {
                ("AWS::S3::Bucket", "Arn") => $"arn:aws:s3:::{id}",
                ("AWS::S3::Bucket", "DomainName") => $"{id}.s3.amazonaws.com",
                ("AWS::S3::Bucket", "RegionalDomainName") => $"{id}.s3.{region}.amazonaws.com",
                ("AWS::IAM::Role", "Arn") => $"arn:aws:iam::{account}:role/{id}",
                ("AWS::IAM::Role", "RoleId") => "AROA" + Hash(id, 16).ToUpperInvariant(),
                ("AWS::Lambda::Function", "Arn") => $"arn:aws:lambda:{region}:{account}:function:{id}",
                ("AWS::KMS::Key", "Arn") => $"arn:aws:kms:{region}:{account}:key/{id}",
                ("AWS::SNS::Topic", "TopicArn") => $"arn:aws:sns:{region}:{account}:{id}",
                ("AWS::Logs::LogGroup", "Arn") => $"arn:aws:logs:{region}:{account}:log-group:{id}:*",
                (_, "Arn") when type.Split("::") is { Length: 3 } parts => $"arn:aws:{parts[1].ToLowerInvariant()}:{region}:{account}:{parts[2].ToLowerInvariant()}/{id}",
                _ => $"{id}.{attribute}",
            });
        }

        public CfnValue? ImportValue(string exportName) => CfnValue.String($"{Marker}import {exportName}>");

        public string PhysicalId(CfnResource resource)
        {
            if (_ids.TryGetValue(resource.LogicalId, out var known) || deployed.TryGetValue(resource.LogicalId, out known))
            {
                return known;
            }

            if (!_resolving.Add(resource.LogicalId))
            {
                return Generated(resource);
            }

            try
            {
                var properties = Evaluate?.Invoke(resource);
                string? Named(params string[] path)
                {
                    CfnValue? value = properties;
                    foreach (var key in path)
                    {
                        value = (value as CfnMap)?[key];
                    }

                    return value is CfnScalar s ? s.AsString() : null;
                }

                var id = (resource.Type ?? string.Empty) switch
                {
                    "AWS::S3::Bucket" => Named("BucketName") ?? Generated(resource, 63).ToLowerInvariant(),
                    "AWS::Glue::Database" => Named("DatabaseInput", "Name"),
                    "AWS::Glue::Table" => Named("TableInput", "Name"),
                    "AWS::Glue::Connection" => Named("ConnectionInput", "Name"),
                    "AWS::IAM::Role" => Named("RoleName"),
                    "AWS::Lambda::Function" => Named("FunctionName"),
                    "AWS::Logs::LogGroup" => Named("LogGroupName"),
                    "AWS::SNS::Topic" => Named("TopicName"),
                    var glue when glue.StartsWith("AWS::Glue::", StringComparison.Ordinal) => Named("Name"),
                    _ => null,
                } ?? Generated(resource);
                _ids[resource.LogicalId] = id;
                return id;
            }
            finally
            {
                _resolving.Remove(resource.LogicalId);
            }
        }

        private string Generated(CfnResource resource, int max = 128)
        {
            var id = $"{pseudo.StackName}-{resource.LogicalId}-{Hash(pseudo.StackName + "/" + resource.LogicalId, 12)}";
            return id.Length > max ? $"{id[..(max - 13)]}-{Hash(id, 12)}" : id;
        }

        private static string Hash(string text, int length) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..length];
    }
}
