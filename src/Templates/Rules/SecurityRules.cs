using System.Text.RegularExpressions;
using GluePipeline.Diagnostics;
using GluePipeline.Documents;

namespace GluePipeline.Templates.Rules;

/// <summary>
/// Security rules (warnings; errors with <c>--strict</c>): wildcard IAM actions and resources,
/// Glue Data Catalog permissions without resource-level ARNs, S3 buckets without encryption or a
/// public access block, password-like parameters that are echoed or defaulted, and plaintext
/// secrets in properties.
/// </summary>
public static partial class SecurityRules
{
    /// <summary>The rule ids this class reports, with what each is about.</summary>
    public static IReadOnlyDictionary<string, string> Rules { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["SEC-IAM-ACTION"] = "an IAM policy allows Action \"*\" or \"service:*\"",
        ["SEC-IAM-RESOURCE"] = "an IAM policy allows actions on Resource \"*\" that support narrower resources",
        ["SEC-GLUE-CATALOG"] = "Glue Data Catalog permissions on \"*\" instead of catalog, database and table ARNs",
        ["SEC-S3-ENCRYPTION"] = "an S3 bucket without default encryption",
        ["SEC-S3-PUBLIC"] = "an S3 bucket without a full public access block",
        ["SEC-PARAM-SECRET"] = "a password-like parameter without NoEcho, or with a Default",
        ["SEC-PLAINTEXT"] = "a secret written in plain text in a property",
    };

    /// <summary>
    /// Actions that do not support resource-level permissions, so <c>Resource: "*"</c> is the only
    /// choice for them (prefix match on the part before a trailing <c>*</c>).
    /// </summary>
    private static readonly string[] ResourceLessActions =
    [
        "ec2:Describe", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:CreateTags", "ec2:DeleteTags",
        "s3:ListAllMyBuckets", "cloudwatch:PutMetricData", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics",
        "logs:DescribeLogGroups", "sts:GetCallerIdentity", "iam:ListRoles", "iam:ListPolicies", "xray:",
        "tag:GetResources", "athena:ListWorkGroups", "athena:ListDataCatalogs", "glue:GetSecurityConfigurations",
        "codebuild:ListProjects", "codepipeline:ListPipelines", "cloudformation:ListStacks", "cloudformation:DescribeStacks",
        "cloudformation:ValidateTemplate", "cloudformation:ListExports", "kms:ListAliases", "secretsmanager:ListSecrets",
        "codestar-connections:ListConnections", "lakeformation:GetDataAccess",
    ];

    /// <summary>Glue actions on the Data Catalog, which take catalog, database and table ARNs.</summary>
    [GeneratedRegex(@"^glue:(\*|(Get|Create|Update|Delete|Batch\w*|Search)\w*(Database|Table|Partition|UserDefinedFunction|Catalog|ColumnStatistics)\w*\*?)$", RegexOptions.CultureInvariant)]
    private static partial Regex CatalogAction();

    [GeneratedRegex(@"(?i)(password|passwd|pwd|secret|token|api_?key|credential|private_?key)", RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();

    /// <summary>Runs the security rules.</summary>
    public static IEnumerable<Diagnostic> Check(TemplateGraph graph)
    {
        var findings = new List<Diagnostic>();
        foreach (var (owner, document) in PolicyDocuments(graph.Template))
        {
            Policy(graph, owner, document, findings);
        }

        foreach (var bucket in graph.OfType("AWS::S3::Bucket"))
        {
            Bucket(graph, bucket, findings);
        }

        foreach (var parameter in graph.Template.Parameters.Values.Where(p => SecretName().IsMatch(p.Name) && p.Type == "String" && !NamesASecret(p.Name)))
        {
            if (!parameter.NoEcho)
            {
                findings.Add(Diagnostic.Warning(parameter.Location, "SEC-PARAM-SECRET", $"Parameter {parameter.Name} looks like a secret but is shown in the console and in stack events", "add NoEcho: true, or better take the secret from Secrets Manager with {{resolve:secretsmanager:...}}"));
            }

            if (parameter.Default is { Length: > 0 })
            {
                findings.Add(Diagnostic.Warning(parameter.Definition["Default"]!.Location, "SEC-PARAM-SECRET", $"Parameter {parameter.Name} looks like a secret and has a Default, so the secret is in the template", "remove the Default and pass the value at deploy time, or use {{resolve:secretsmanager:...}}"));
            }
        }

        foreach (var resource in graph.Template.Resources.Values)
        {
            if (resource.Properties is { } properties)
            {
                PlaintextSecrets(resource, properties, findings);
            }
        }

        return findings;
    }

    /// <summary>Whether a name refers to a secret (its id, ARN or name) rather than holding it.</summary>
    private static bool NamesASecret(string name) =>
        name.EndsWith("Id", StringComparison.Ordinal) || name.EndsWith("Arn", StringComparison.Ordinal) || name.EndsWith("Name", StringComparison.Ordinal);

    private static IEnumerable<(CfnResource Owner, DocumentNode Document)> PolicyDocuments(CfnTemplate template)
    {
        foreach (var resource in template.Resources.Values)
        {
            switch (resource.Type)
            {
                case "AWS::IAM::Role" or "AWS::IAM::User" or "AWS::IAM::Group":
                    if (resource.Properties?["Policies"] is SequenceNode policies)
                    {
                        foreach (var policy in policies.Items.OfType<MappingNode>())
                        {
                            if (policy["PolicyDocument"] is { } document)
                            {
                                yield return (resource, document);
                            }
                        }
                    }

                    break;
                case "AWS::IAM::Policy" or "AWS::IAM::ManagedPolicy":
                    if (resource.Properties?["PolicyDocument"] is { } doc)
                    {
                        yield return (resource, doc);
                    }

                    break;
            }
        }
    }

    private static void Policy(TemplateGraph graph, CfnResource owner, DocumentNode document, List<Diagnostic> findings)
    {
        var statements = (document as MappingNode)?["Statement"] switch
        {
            SequenceNode list => list.Items.OfType<MappingNode>(),
            MappingNode single => [single],
            _ => [],
        };
        foreach (var statement in statements)
        {
            if (graph.TryString(statement["Effect"]) != "Allow")
            {
                continue;
            }

            var actions = Strings(graph, statement["Action"]);
            foreach (var (action, location) in actions.Where(a => a.Value == "*" || a.Value.EndsWith(":*", StringComparison.Ordinal)))
            {
                findings.Add(Diagnostic.Warning(location, "SEC-IAM-ACTION", $"{owner.LogicalId} allows every action{(action == "*" ? string.Empty : " of " + action[..^2])} (\"{action}\")", "list the actions the role needs, e.g. s3:GetObject, glue:StartJobRun"));
            }

            var starResource = Strings(graph, statement["Resource"]).FirstOrDefault(r => r.Value == "*" || r.Value.StartsWith("arn:aws:glue:*", StringComparison.Ordinal));
            if (starResource.Value is null)
            {
                continue;
            }

            var catalog = actions.Where(a => CatalogAction().IsMatch(a.Value)).ToArray();
            if (catalog.Length > 0)
            {
                findings.Add(Diagnostic.Warning(starResource.Location, "SEC-GLUE-CATALOG", $"{owner.LogicalId} grants Glue Data Catalog actions ({string.Join(", ", catalog.Select(c => c.Value))}) on every catalog, database and table", "name them: arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:catalog, ...:database/<db> and ...:table/<db>/* (resource-level permissions)"));
            }

            var narrowable = actions.Where(a => !CatalogAction().IsMatch(a.Value) && !IsResourceLess(a.Value)).ToArray();
            if (narrowable.Length > 0 && starResource.Value == "*")
            {
                findings.Add(Diagnostic.Warning(starResource.Location, "SEC-IAM-RESOURCE", $"{owner.LogicalId} allows {string.Join(", ", narrowable.Select(a => a.Value).Take(4))}{(narrowable.Length > 4 ? ", ..." : string.Empty)} on Resource \"*\"", "name the resources (bucket and object ARNs, job and crawler ARNs); only actions without resource-level support need \"*\""));
            }
        }
    }

    private static bool IsResourceLess(string action) =>
        ResourceLessActions.Any(prefix => action.StartsWith(prefix, StringComparison.Ordinal));

    private static List<(string Value, SourceLocation Location)> Strings(TemplateGraph graph, DocumentNode? node)
    {
        var result = new List<(string, SourceLocation)>();
        var items = node switch
        {
            SequenceNode list => list.Items,
            null => [],
            _ => [node],
        };
        foreach (var item in items)
        {
            if (item is ScalarNode s)
            {
                result.Add((s.Value, s.Location));
            }
            else if (graph.TryString(item) is { } value)
            {
                result.Add((value, item.Location));
            }
        }

        return result;
    }

    private static void Bucket(TemplateGraph graph, CfnResource bucket, List<Diagnostic> findings)
    {
        if (TemplateGraph.Property(bucket, "BucketEncryption.ServerSideEncryptionConfiguration") is null)
        {
            findings.Add(Diagnostic.Warning(bucket.Location, "SEC-S3-ENCRYPTION", $"Bucket {bucket.LogicalId} declares no default encryption", "add BucketEncryption: {ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: {SSEAlgorithm: aws:kms}}]} (or AES256)"));
        }

        var block = TemplateGraph.Property(bucket, "PublicAccessBlockConfiguration") as MappingNode;
        var flags = new[] { "BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets" };
        var open = flags.Where(f => graph.TryString(block?[f]) != "true").ToArray();
        if (open.Length > 0)
        {
            findings.Add(Diagnostic.Warning(block?.Location ?? bucket.Location, "SEC-S3-PUBLIC", $"Bucket {bucket.LogicalId} does not block public access ({string.Join(", ", open)} not true)", "add PublicAccessBlockConfiguration with BlockPublicAcls, BlockPublicPolicy, IgnorePublicAcls and RestrictPublicBuckets all true"));
        }
    }

    private static void PlaintextSecrets(CfnResource resource, MappingNode properties, List<Diagnostic> findings)
    {
        var stack = new Stack<MappingNode>();
        stack.Push(properties);
        while (stack.Count > 0)
        {
            var map = stack.Pop();
            foreach (var entry in map.Entries)
            {
                if (entry.Value is ScalarNode { Kind: ScalarKind.String } value && SecretName().IsMatch(entry.Key) && !IsSecretReference(value.Value) && !IsNotASecret(entry.Key, value.Value))
                {
                    findings.Add(Diagnostic.Warning(value.Location, "SEC-PLAINTEXT", $"{resource.LogicalId} has {entry.Key} in plain text in the template", "use '{{resolve:secretsmanager:<secret>:SecretString:<key>}}' (or a NoEcho parameter); never commit a secret"));
                }

                foreach (var child in Children(entry.Value))
                {
                    stack.Push(child);
                }
            }
        }
    }

    private static IEnumerable<MappingNode> Children(DocumentNode node) => node switch
    {
        MappingNode map when !Intrinsics.TryGet(map, out _, out _) => [map],
        SequenceNode list => list.Items.SelectMany(Children),
        _ => [],
    };

    private static bool IsSecretReference(string value) =>
        value.StartsWith("{{resolve:secretsmanager:", StringComparison.Ordinal) || value.StartsWith("{{resolve:ssm-secure:", StringComparison.Ordinal);

    /// <summary>Keys that look secret but hold a reference or a setting, not the secret itself.</summary>
    private static bool IsNotASecret(string key, string value) =>
        value.Length == 0 ||
        value.StartsWith("arn:", StringComparison.Ordinal) ||
        key.EndsWith("Arn", StringComparison.Ordinal) || key.EndsWith("Id", StringComparison.Ordinal) || key.EndsWith("_ID", StringComparison.Ordinal) ||
        key.EndsWith("Name", StringComparison.Ordinal) || key.Contains("Policy", StringComparison.Ordinal) || key.Contains("Length", StringComparison.Ordinal) ||
        key.Contains("Rotation", StringComparison.Ordinal) || key.Contains("Reset", StringComparison.Ordinal) || key.StartsWith("Generate", StringComparison.Ordinal);
}
