using System.Globalization;
using System.Text.RegularExpressions;
using GluePipeline.Diagnostics;
using GluePipeline.Documents;

namespace GluePipeline.Templates;

/// <summary>
/// Lint's structural checks of a CloudFormation template: parameters and their constraints,
/// conditions, resources and their attributes, outputs, and every intrinsic function call (known
/// name, arity, and that what it names exists), plus dependency cycles. All findings are collected.
/// </summary>
public static partial class TemplateChecks
{
    /// <summary>The rule ids this class reports, with what each is about (README lists them too).</summary>
    public static IReadOnlyDictionary<string, string> Rules { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["CFN-STRUCTURE"] = "a section or definition has the wrong shape",
        ["CFN-TOP-KEY"] = "an unknown top-level key",
        ["CFN-VERSION"] = "AWSTemplateFormatVersion is not 2010-09-09",
        ["CFN-NO-RESOURCES"] = "no resources",
        ["CFN-NAME"] = "a logical name that is not alphanumeric",
        ["CFN-PARAM"] = "a parameter definition that is wrong (type, keys, constraints)",
        ["CFN-PARAM-VALUE"] = "a parameter value (Default or environment file) that breaks its constraints",
        ["CFN-RES-TYPE"] = "a resource without a valid Type",
        ["CFN-RES-KEY"] = "an unknown resource attribute",
        ["CFN-RES-POLICY"] = "an invalid DeletionPolicy or UpdateReplacePolicy",
        ["CFN-DEPENDSON"] = "DependsOn names a resource that does not exist",
        ["CFN-CYCLE"] = "resources or conditions that depend on each other in a cycle",
        ["CFN-REF"] = "Ref to something that does not exist or may not be referred to there",
        ["CFN-GETATT"] = "Fn::GetAtt of a missing resource, or an attribute its type does not have",
        ["CFN-SUB"] = "an Fn::Sub variable that does not exist",
        ["CFN-CONDITION"] = "a condition name that does not exist",
        ["CFN-FINDINMAP"] = "Fn::FindInMap of a map or key that does not exist",
        ["CFN-ARITY"] = "an intrinsic function with the wrong number or shape of arguments",
        ["CFN-FN"] = "an unknown intrinsic function, or one used where it is not allowed",
        ["CFN-OUTPUT"] = "an output without Value, or with unknown keys",
    };

    private static readonly HashSet<string> DeletionPolicies = new(StringComparer.Ordinal) { "Delete", "Retain", "Snapshot", "RetainExceptOnCreate" };

    /// <summary>Runs every structural check; returns the findings in document order.</summary>
    public static IReadOnlyList<Diagnostic> Run(CfnTemplate template)
    {
        var checker = new Checker(template);
        checker.CheckParameters();
        checker.CheckMappings();
        checker.CheckConditions();
        checker.CheckResources();
        checker.CheckOutputs();
        checker.CheckResourceCycles();
        return checker.Findings
            .OrderBy(f => f.Location?.Line ?? 0)
            .ThenBy(f => f.Location?.Column ?? 0)
            .ToArray();
    }

    private enum Section
    {
        Conditions,
        Resources,
        Outputs,
    }

    private sealed class Checker(CfnTemplate template)
    {
        public List<Diagnostic> Findings { get; } = [];

        private void Error(SourceLocation location, string rule, string message, string? fix) =>
            Findings.Add(Diagnostic.Error(location, rule, message, fix));

        // ----- Parameters -------------------------------------------------------------------

        public void CheckParameters()
        {
            foreach (var parameter in template.Parameters.Values)
            {
                var def = parameter.Definition;
                foreach (var entry in def.Entries.Where(e => !CfnTemplate.ParameterKeys.Contains(e.Key)))
                {
                    var closest = DocumentParser.Closest(entry.Key, CfnTemplate.ParameterKeys);
                    Error(entry.KeyLocation, "CFN-PARAM", $"Parameter {parameter.Name} has an unknown key '{entry.Key}'", closest is null ? "a parameter takes " + string.Join(", ", CfnTemplate.ParameterKeys) : $"did you mean '{closest}'?");
                }

                foreach (var (_, _, call) in def.Entries.SelectMany(e => Intrinsics.Calls(e.Value)))
                {
                    Error(call.Location, "CFN-FN", $"Parameter {parameter.Name} uses an intrinsic function; parameters take literal values only", "write the value literally");
                }

                if (def.Entry("Type") is not { } typeEntry)
                {
                    Error(parameter.Location, "CFN-PARAM", $"Parameter {parameter.Name} has no Type", "add Type: String (or Number, CommaDelimitedList, List<Number>, an AWS-specific type)");
                    continue;
                }

                if (parameter.Type is not { } type || !IsParameterType(type))
                {
                    Error(typeEntry.Value.Location, "CFN-PARAM", $"Parameter {parameter.Name} has an unknown Type '{(typeEntry.Value as ScalarNode)?.Value}'", "use String, Number, List<Number>, CommaDelimitedList, an AWS-specific type (AWS::EC2::VPC::Id, ...) or AWS::SSM::Parameter::Value<...>");
                    continue;
                }

                CheckNumberKey(parameter, "MinLength");
                CheckNumberKey(parameter, "MaxLength");
                CheckNumberKey(parameter, "MinValue");
                CheckNumberKey(parameter, "MaxValue");
                if (parameter.MinLength > parameter.MaxLength)
                {
                    Error(def.Entry("MinLength")!.KeyLocation, "CFN-PARAM", $"Parameter {parameter.Name} has MinLength {parameter.MinLength} above MaxLength {parameter.MaxLength}", "make MinLength <= MaxLength");
                }

                if (parameter.MinValue > parameter.MaxValue)
                {
                    Error(def.Entry("MinValue")!.KeyLocation, "CFN-PARAM", $"Parameter {parameter.Name} has MinValue {parameter.MinValue} above MaxValue {parameter.MaxValue}", "make MinValue <= MaxValue");
                }

                if (parameter.AllowedPattern is { } pattern && ParameterConstraints.CompilePattern(pattern) is null)
                {
                    Error(def["AllowedPattern"]!.Location, "CFN-PARAM", $"Parameter {parameter.Name} has an AllowedPattern that is not a valid regular expression", "fix the pattern (it must match the whole value)");
                }

                if (def.Entry("AllowedValues") is { Value: not SequenceNode } allowed)
                {
                    Error(allowed.Value.Location, "CFN-PARAM", $"Parameter {parameter.Name} has AllowedValues that is not a list", "write AllowedValues: [a, b]");
                }

                if (parameter.Default is { } value && ParameterConstraints.Violation(parameter, value) is { } violation)
                {
                    Error(def["Default"]!.Location, "CFN-PARAM-VALUE", $"The Default of {parameter.Name} breaks its constraints: {violation}", "change the Default or the constraint");
                }
            }
        }

        private void CheckNumberKey(CfnParameter parameter, string key)
        {
            if (parameter.Definition[key] is { } node && (node is not ScalarNode s || !decimal.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            {
                Error(node.Location, "CFN-PARAM", $"Parameter {parameter.Name} has a {key} that is not a number", $"write {key} as a number");
            }
        }

        private static bool IsParameterType(string type) =>
            type is "String" or "Number" or "List<Number>" or "CommaDelimitedList" or "AWS::SSM::Parameter::Name" ||
            AwsParameterType().IsMatch(type) ||
            SsmParameterType().IsMatch(type);

        // ----- Mappings ---------------------------------------------------------------------

        public void CheckMappings()
        {
            foreach (var (name, map) in template.Mappings)
            {
                foreach (var top in map.Entries)
                {
                    if (top.Value is not MappingNode second)
                    {
                        Error(top.Value.Location, "CFN-STRUCTURE", $"Mapping {name}.{top.Key} must be a mapping of keys to values", "indent the second-level keys under it");
                        continue;
                    }

                    foreach (var (_, _, call) in second.Entries.SelectMany(e => Intrinsics.Calls(e.Value)))
                    {
                        Error(call.Location, "CFN-FN", $"Mapping {name} uses an intrinsic function; mappings hold literal values only", "write the value literally");
                    }
                }
            }
        }

        // ----- Conditions -------------------------------------------------------------------

        public void CheckConditions()
        {
            foreach (var (name, expression) in template.Conditions)
            {
                if (!Intrinsics.TryGet(expression, out var function, out _) || !Intrinsics.ConditionFunctions.Contains(function))
                {
                    Error(expression.Location, "CFN-STRUCTURE", $"Condition {name} must be a condition function", "use Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition");
                }

                CheckCalls(expression, Section.Conditions);
            }

            // Cycles among conditions (a condition that refers to itself through others).
            var graph = template.Conditions.ToDictionary(
                c => c.Key,
                c => Intrinsics.Calls(c.Value)
                    .Where(x => x.Name == "Condition" && x.Argument is ScalarNode s && template.Conditions.ContainsKey(s.Value))
                    .Select(x => ((ScalarNode)x.Argument).Value)
                    .Distinct()
                    .ToArray());
            foreach (var cycle in Cycles(graph))
            {
                var first = cycle[0];
                Error(template.Conditions[first].Location, "CFN-CYCLE", $"Conditions refer to each other in a cycle: {string.Join(" -> ", cycle.Append(first))}", "break the cycle so every condition can be decided from parameters");
            }
        }

        // ----- Resources --------------------------------------------------------------------

        public void CheckResources()
        {
            foreach (var resource in template.Resources.Values)
            {
                var def = resource.Definition;
                if (def.Entry("Type") is not { } typeEntry)
                {
                    Error(resource.Location, "CFN-RES-TYPE", $"Resource {resource.LogicalId} has no Type", "add Type: AWS::<Service>::<Resource> (e.g. AWS::S3::Bucket)");
                }
                else if (typeEntry.Value is not ScalarNode { Kind: ScalarKind.String } typeNode || !ResourceType().IsMatch(typeNode.Value))
                {
                    var where = typeEntry.Value is ScalarNode ? typeEntry.Value.Location : typeEntry.KeyLocation;
                    var what = typeEntry.Value is ScalarNode s ? $"an invalid Type '{s.Value}'" : "a Type that is not a string";
                    Error(where, "CFN-RES-TYPE", $"Resource {resource.LogicalId} has {what}", "write AWS::<Service>::<Resource>, Custom::<Name> or a registered type");
                }
                else if (!ResourceTypeCatalog.KnownTypes.Contains(typeNode.Value) &&
                    DocumentParser.Closest(typeNode.Value, ResourceTypeCatalog.KnownTypes, maxDistance: 2) is { } near)
                {
                    // A near miss of a type Lint knows is a typo (CloudFormation would refuse the template at deploy
                    // time); a type far from all of them may be one Lint does not know, and is left alone.
                    Error(typeNode.Location, "CFN-RES-TYPE", $"Resource {resource.LogicalId} has Type '{typeNode.Value}', which is not a CloudFormation resource type", $"did you mean '{near}'?");
                }

                foreach (var entry in def.Entries.Where(e => !CfnTemplate.ResourceKeys.Contains(e.Key)))
                {
                    var closest = DocumentParser.Closest(entry.Key, CfnTemplate.ResourceKeys);
                    Error(entry.KeyLocation, "CFN-RES-KEY", $"Resource {resource.LogicalId} has an unknown key '{entry.Key}'", closest is null ? "a resource takes " + string.Join(", ", CfnTemplate.ResourceKeys) : $"did you mean '{closest}'? (properties go under Properties)");
                }

                foreach (var key in new[] { "DeletionPolicy", "UpdateReplacePolicy" })
                {
                    if (def[key] is { } policy && Intrinsics.TryGet(policy, out var function, out _))
                    {
                        if (!template.HasLanguageExtensions)
                        {
                            Error(policy.Location, "CFN-RES-POLICY", $"{key} of {resource.LogicalId} uses {function}, which needs the AWS::LanguageExtensions transform", "add Transform: AWS::LanguageExtensions, or write the policy literally");
                        }

                        CheckCalls(policy, Section.Resources);
                    }
                    else if (def[key] is { } literal && (literal is not ScalarNode p || !DeletionPolicies.Contains(p.Value)))
                    {
                        Error(literal.Location, "CFN-RES-POLICY", $"Resource {resource.LogicalId} has an invalid {key} '{(literal as ScalarNode)?.Value}'", "use Delete, Retain, RetainExceptOnCreate or Snapshot");
                    }
                }

                if (def["Properties"] is { } properties && properties is not MappingNode && properties is not ScalarNode { Kind: ScalarKind.Null })
                {
                    Error(properties.Location, "CFN-STRUCTURE", $"Properties of {resource.LogicalId} must be a mapping", "indent the properties under Properties:");
                }

                if (def["DependsOn"] is { } dependsOn && dependsOn is not ScalarNode && (dependsOn is not SequenceNode list || list.Items.Any(i => i is not ScalarNode)))
                {
                    Error(dependsOn.Location, "CFN-STRUCTURE", $"DependsOn of {resource.LogicalId} must be a resource name or a list of names", "write DependsOn: OtherResource or DependsOn: [A, B]");
                }

                foreach (var (target, location) in resource.DependsOn)
                {
                    if (target == resource.LogicalId)
                    {
                        Error(location, "CFN-DEPENDSON", $"Resource {resource.LogicalId} depends on itself", "remove it from DependsOn");
                    }
                    else if (!template.Resources.ContainsKey(target) && !template.HasMacroTransform)
                    {
                        Error(location, "CFN-DEPENDSON", $"Resource {resource.LogicalId} depends on '{target}', which is not a resource of this template", Suggest(target, template.Resources.Keys, "DependsOn names resources only"));
                    }
                }

                if (def["Condition"] is { } condition)
                {
                    CheckConditionName(condition, $"Resource {resource.LogicalId}");
                }

                foreach (var entry in def.Entries.Where(e => e.Key is "Properties" or "Metadata" or "CreationPolicy" or "UpdatePolicy"))
                {
                    CheckCalls(entry.Value, Section.Resources);
                }
            }
        }

        // ----- Outputs ----------------------------------------------------------------------

        public void CheckOutputs()
        {
            foreach (var output in template.Outputs.Values)
            {
                var def = output.Definition;
                if (!def.Has("Value"))
                {
                    Error(output.Location, "CFN-OUTPUT", $"Output {output.Name} has no Value", "add Value: !Ref SomeResource (or another value)");
                }

                foreach (var entry in def.Entries.Where(e => !CfnTemplate.OutputKeys.Contains(e.Key)))
                {
                    var closest = DocumentParser.Closest(entry.Key, CfnTemplate.OutputKeys);
                    Error(entry.KeyLocation, "CFN-OUTPUT", $"Output {output.Name} has an unknown key '{entry.Key}'", closest is null ? "an output takes Description, Value, Export and Condition" : $"did you mean '{closest}'?");
                }

                if (def.Entry("Export") is { } export && (export.Value is not MappingNode exportMap || !exportMap.Has("Name")))
                {
                    Error(export.Value.Location, "CFN-OUTPUT", $"Export of output {output.Name} needs a Name", "write Export: { Name: !Sub '${AWS::StackName}-Something' }");
                }

                if (def["Condition"] is { } condition)
                {
                    CheckConditionName(condition, $"Output {output.Name}");
                }

                foreach (var entry in def.Entries.Where(e => e.Key is "Value" or "Export"))
                {
                    CheckCalls(entry.Value, Section.Outputs);
                }
            }
        }

        private void CheckConditionName(DocumentNode node, string owner)
        {
            if (node is not ScalarNode { Kind: ScalarKind.String } name)
            {
                Error(node.Location, "CFN-CONDITION", $"{owner} has a Condition that is not a condition name", "write Condition: <name of a condition in Conditions>");
                return;
            }

            if (!template.Conditions.ContainsKey(name.Value))
            {
                Error(name.Location, "CFN-CONDITION", $"{owner} uses condition '{name.Value}', which is not declared in Conditions", Suggest(name.Value, template.Conditions.Keys, "declare it under Conditions"));
            }
        }

        // ----- Intrinsic function calls -----------------------------------------------------

        private void CheckCalls(DocumentNode root, Section section)
        {
            foreach (var (name, argument, call) in Intrinsics.Calls(root))
            {
                CheckCall(name, argument, call, section);
            }
        }

        private void CheckCall(string name, DocumentNode argument, DocumentNode call, Section section)
        {
            var location = call.Location;
            if (!Intrinsics.Names.Contains(name))
            {
                var closest = DocumentParser.Closest(name, Intrinsics.Names);
                Error(location, "CFN-FN", $"Unknown intrinsic function '{name}'", closest is null ? "see the intrinsic function reference" : $"did you mean '{closest}'?");
                return;
            }

            if (Intrinsics.LanguageExtensions.Contains(name) && !template.HasLanguageExtensions)
            {
                Error(location, "CFN-FN", $"{name} needs the AWS::LanguageExtensions transform", "add Transform: AWS::LanguageExtensions");
            }

            switch (name)
            {
                case "Ref":
                    if (argument is not ScalarNode { Kind: ScalarKind.String } target)
                    {
                        Arity(location, name, "Ref takes one name: !Ref Name");
                        return;
                    }

                    CheckRef(target, section);
                    break;
                case "Condition":
                    if (section != Section.Conditions)
                    {
                        Error(location, "CFN-FN", "The Condition function is used outside Conditions", "use Fn::If here, or move the expression into Conditions");
                    }

                    if (argument is not ScalarNode { Kind: ScalarKind.String } condition)
                    {
                        Arity(location, name, "Condition takes one condition name");
                        return;
                    }

                    CheckConditionName(condition, "A Condition function");
                    break;
                case "Fn::GetAtt":
                    CheckGetAtt(argument, location, section);
                    break;
                case "Fn::Sub":
                    CheckSub(argument, location, section);
                    break;
                case "Fn::Join":
                    if (!IsList(argument, 2) || ((SequenceNode)argument).Items[0] is not ScalarNode)
                    {
                        Arity(location, name, "Fn::Join takes [delimiter, [values...]]");
                    }
                    else if (((SequenceNode)argument).Items[1] is ScalarNode)
                    {
                        Arity(location, name, "the second argument of Fn::Join must be a list (or a function that returns one)");
                    }

                    break;
                case "Fn::Select":
                    if (!IsList(argument, 2))
                    {
                        Arity(location, name, "Fn::Select takes [index, [values...]]");
                    }
                    else if (((SequenceNode)argument).Items[0] is ScalarNode index && !int.TryParse(index.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                    {
                        Arity(index.Location, name, "the index of Fn::Select must be a whole number");
                    }

                    break;
                case "Fn::Split":
                    if (!IsList(argument, 2) || ((SequenceNode)argument).Items[0] is not ScalarNode)
                    {
                        Arity(location, name, "Fn::Split takes [delimiter, string]");
                    }

                    break;
                case "Fn::If":
                    if (section == Section.Conditions)
                    {
                        Error(location, "CFN-FN", "Fn::If cannot be used inside Conditions", "combine conditions with Fn::And, Fn::Or and Fn::Not");
                    }

                    if (!IsList(argument, 3) || ((SequenceNode)argument).Items[0] is not ScalarNode conditionName)
                    {
                        Arity(location, name, "Fn::If takes [ConditionName, value if true, value if false]");
                        return;
                    }

                    CheckConditionName(conditionName, "Fn::If");
                    break;
                case "Fn::Equals":
                    if (!IsList(argument, 2))
                    {
                        Arity(location, name, "Fn::Equals takes [value, value]");
                    }

                    break;
                case "Fn::Not":
                    if (!IsList(argument, 1))
                    {
                        Arity(location, name, "Fn::Not takes [condition]");
                    }

                    break;
                case "Fn::And" or "Fn::Or":
                    if (argument is not SequenceNode { Items.Count: >= 2 and <= 10 })
                    {
                        Arity(location, name, $"{name} takes between 2 and 10 conditions");
                    }

                    break;
                case "Fn::FindInMap":
                    CheckFindInMap(argument, location);
                    break;
                case "Fn::Cidr":
                    if (!IsList(argument, 3))
                    {
                        Arity(location, name, "Fn::Cidr takes [ipBlock, count, cidrBits]");
                    }

                    break;
                case "Fn::GetAZs":
                    if (argument is SequenceNode or MappingNode && !Intrinsics.TryGet(argument, out _, out _))
                    {
                        Arity(location, name, "Fn::GetAZs takes one region (or '' for the stack's region)");
                    }

                    break;
                case "Fn::Base64" or "Fn::ImportValue":
                    if (argument is SequenceNode)
                    {
                        Arity(location, name, $"{name} takes one value, not a list");
                    }

                    break;
                case "Fn::Transform":
                    if (argument is not MappingNode transform || !transform.Has("Name"))
                    {
                        Arity(location, name, "Fn::Transform takes { Name: <macro>, Parameters: {...} }");
                    }

                    break;
            }

            if (section == Section.Conditions && name is "Fn::GetAtt" or "Fn::ImportValue" or "Fn::GetAZs" or "Fn::Cidr")
            {
                Error(location, "CFN-FN", $"{name} cannot be used inside Conditions", "conditions can use parameters, mappings and pseudo parameters only");
            }
        }

        private void Arity(SourceLocation location, string name, string expected) =>
            Error(location, "CFN-ARITY", $"Wrong arguments for {name}", expected);

        private static bool IsList(DocumentNode node, int count) => node is SequenceNode list && list.Items.Count == count;

        private void CheckRef(ScalarNode target, Section section)
        {
            var name = target.Value;
            if (template.Parameters.ContainsKey(name) || CfnTemplate.PseudoParameters.Contains(name))
            {
                return;
            }

            if (template.Resources.ContainsKey(name))
            {
                if (section == Section.Conditions)
                {
                    Error(target.Location, "CFN-REF", $"Conditions cannot refer to resource {name}", "conditions can use parameters, mappings and pseudo parameters only");
                }

                return;
            }

            if (template.HasMacroTransform)
            {
                return; // the transform may create the resource
            }

            if (name.StartsWith("AWS::", StringComparison.Ordinal))
            {
                Error(target.Location, "CFN-REF", $"'{name}' is not a pseudo parameter", Suggest(name, CfnTemplate.PseudoParameters, "the pseudo parameters are " + string.Join(", ", CfnTemplate.PseudoParameters)));
                return;
            }

            Error(target.Location, "CFN-REF", $"Ref to '{name}', which is neither a parameter nor a resource", Suggest(name, template.Parameters.Keys.Concat(template.Resources.Keys), "declare it, or fix the name"));
        }

        private void CheckGetAtt(DocumentNode argument, SourceLocation location, Section section)
        {
            string? resourceName;
            DocumentNode? attributeNode;
            SourceLocation nameLocation;
            switch (argument)
            {
                case SequenceNode { Items.Count: 2 } list when list.Items[0] is ScalarNode r:
                    resourceName = r.Value;
                    attributeNode = list.Items[1];
                    nameLocation = r.Location;
                    break;
                case ScalarNode s when s.Value.Contains('.', StringComparison.Ordinal):
                    resourceName = s.Value[..s.Value.IndexOf('.', StringComparison.Ordinal)];
                    attributeNode = new ScalarNode(s.Location, s.Value[(s.Value.IndexOf('.', StringComparison.Ordinal) + 1)..], ScalarKind.String);
                    nameLocation = s.Location;
                    break;
                default:
                    Arity(location, "Fn::GetAtt", "Fn::GetAtt takes [Resource, Attribute] (or !GetAtt Resource.Attribute)");
                    return;
            }

            if (section == Section.Conditions)
            {
                return; // reported by the caller
            }

            if (!template.Resources.TryGetValue(resourceName, out var resource))
            {
                if (template.HasMacroTransform)
                {
                    return;
                }

                var what = template.Parameters.ContainsKey(resourceName) ? $"'{resourceName}' is a parameter; Fn::GetAtt works on resources" : $"Fn::GetAtt of '{resourceName}', which is not a resource of this template";
                Error(nameLocation, "CFN-GETATT", what, Suggest(resourceName, template.Resources.Keys, "use Ref for parameters, or fix the resource name"));
                return;
            }

            if (attributeNode is ScalarNode { Kind: ScalarKind.String } attribute && resource.Type is { } type &&
                ResourceTypeCatalog.TryGetAttributes(type, out var attributes) && !ResourceTypeCatalog.HasAttribute(type, attribute.Value))
            {
                var closest = DocumentParser.Closest(attribute.Value, attributes);
                var fix = attributes.Count == 0
                    ? $"{type} has no attributes for Fn::GetAtt; use Ref"
                    : (closest is null ? string.Empty : $"did you mean '{closest}'? ") + $"{type} has: {string.Join(", ", attributes)}";
                Error(attribute.Location, "CFN-GETATT", $"{type} has no attribute '{attribute.Value}' (Fn::GetAtt {resourceName})", fix);
            }
        }

        private void CheckSub(DocumentNode argument, SourceLocation location, Section section)
        {
            var (text, locals) = Intrinsics.SubParts(argument);
            if (text is null)
            {
                Arity(location, "Fn::Sub", "Fn::Sub takes a string, or [string, { Variable: value, ... }]");
                return;
            }

            if (argument is SequenceNode list && list.Items[1] is not MappingNode)
            {
                Arity(list.Items[1].Location, "Fn::Sub", "the second argument of Fn::Sub must be a mapping of variable names to values");
            }

            foreach (var variable in Intrinsics.SubVariables(text.Value))
            {
                if (locals.Contains(variable.Name) || template.Parameters.ContainsKey(variable.Name) || CfnTemplate.PseudoParameters.Contains(variable.Name))
                {
                    if (variable.Name == "AWS::NoValue")
                    {
                        Error(text.Location, "CFN-SUB", "${AWS::NoValue} cannot be used in Fn::Sub", "use Fn::If with AWS::NoValue around the property instead");
                    }

                    continue;
                }

                if (template.Resources.TryGetValue(variable.Target, out var resource))
                {
                    if (section == Section.Conditions)
                    {
                        Error(text.Location, "CFN-REF", $"Conditions cannot refer to resource {variable.Target}", "conditions can use parameters, mappings and pseudo parameters only");
                    }
                    else if (variable.Attribute is { } attribute && resource.Type is { } type && ResourceTypeCatalog.TryGetAttributes(type, out var attributes) && !ResourceTypeCatalog.HasAttribute(type, attribute))
                    {
                        Error(text.Location, "CFN-GETATT", $"{type} has no attribute '{attribute}' (${{{variable.Name}}} in Fn::Sub)", attributes.Count == 0 ? $"{type} has no attributes for Fn::GetAtt" : $"{type} has: {string.Join(", ", attributes)}");
                    }

                    continue;
                }

                if (template.HasMacroTransform)
                {
                    continue;
                }

                Error(text.Location, "CFN-SUB", $"Fn::Sub variable ${{{variable.Name}}} is neither a parameter, a resource, a pseudo parameter nor a local variable", Suggest(variable.Target, template.Parameters.Keys.Concat(template.Resources.Keys).Concat(locals), "declare it, pass it in the variables map, or write ${!Literal} for a literal ${...}"));
            }
        }

        private void CheckFindInMap(DocumentNode argument, SourceLocation location)
        {
            if (argument is not SequenceNode { Items.Count: 3 or 4 } list)
            {
                Arity(location, "Fn::FindInMap", "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]");
                return;
            }

            if (list.Items.Count == 4 && !template.HasLanguageExtensions)
            {
                Arity(location, "Fn::FindInMap", "a fourth argument (DefaultValue) needs Transform: AWS::LanguageExtensions");
            }

            if (list.Items[0] is not ScalarNode mapName)
            {
                return;
            }

            if (!template.Mappings.TryGetValue(mapName.Value, out var map))
            {
                Error(mapName.Location, "CFN-FINDINMAP", $"Fn::FindInMap of map '{mapName.Value}', which is not declared in Mappings", Suggest(mapName.Value, template.Mappings.Keys, "declare it under Mappings"));
                return;
            }

            if (list.Items[1] is ScalarNode top && !Intrinsics.TryGet(top, out _, out _))
            {
                if (map[top.Value] is not MappingNode second)
                {
                    Error(top.Location, "CFN-FINDINMAP", $"Map {mapName.Value} has no top-level key '{top.Value}'", Suggest(top.Value, map.Entries.Select(e => e.Key), "its keys are " + string.Join(", ", map.Entries.Select(e => e.Key))));
                }
                else if (list.Items[2] is ScalarNode key && !second.Has(key.Value))
                {
                    Error(key.Location, "CFN-FINDINMAP", $"Map {mapName.Value}.{top.Value} has no key '{key.Value}'", Suggest(key.Value, second.Entries.Select(e => e.Key), "its keys are " + string.Join(", ", second.Entries.Select(e => e.Key))));
                }
            }
        }

        // ----- Cycles -----------------------------------------------------------------------

        public void CheckResourceCycles()
        {
            var graph = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var resource in template.Resources.Values)
            {
                var references = resource.Definition.Entries
                    .Where(e => e.Key is "Properties" or "Metadata" or "CreationPolicy" or "UpdatePolicy")
                    .SelectMany(e => Intrinsics.ResourceReferences(e.Value, template.Resources))
                    .Select(r => r.Target)
                    .Concat(resource.DependsOn.Select(d => d.Name).Where(template.Resources.ContainsKey))
                    .Where(t => t != resource.LogicalId)
                    .Distinct(StringComparer.Ordinal)
                    .ToArray();
                graph[resource.LogicalId] = references;
            }

            foreach (var cycle in Cycles(graph))
            {
                var first = cycle.OrderBy(c => template.Resources[c].Location.Line).First();
                var start = cycle.IndexOf(first);
                var ordered = cycle.Skip(start).Concat(cycle.Take(start)).ToList();
                Error(template.Resources[first].Location, "CFN-CYCLE", $"Resources depend on each other in a cycle: {string.Join(" -> ", ordered.Append(first))}", "remove one of the references or DependsOn entries so the resources can be created in order");
            }
        }

        private string? Suggest(string name, IEnumerable<string> candidates, string otherwise)
        {
            var closest = DocumentParser.Closest(name, candidates);
            return closest is null ? otherwise : $"did you mean '{closest}'?";
        }
    }

    /// <summary>The cycles of a directed graph (Tarjan's strongly connected components of more than one node).</summary>
    private static List<List<string>> Cycles(IReadOnlyDictionary<string, string[]> graph)
    {
        var index = 0;
        var indexes = new Dictionary<string, int>(StringComparer.Ordinal);
        var lowlinks = new Dictionary<string, int>(StringComparer.Ordinal);
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var result = new List<List<string>>();

        void Connect(string node)
        {
            indexes[node] = lowlinks[node] = index++;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in graph.TryGetValue(node, out var edges) ? edges : [])
            {
                if (!graph.ContainsKey(next))
                {
                    continue;
                }

                if (!indexes.ContainsKey(next))
                {
                    Connect(next);
                    lowlinks[node] = Math.Min(lowlinks[node], lowlinks[next]);
                }
                else if (onStack.Contains(next))
                {
                    lowlinks[node] = Math.Min(lowlinks[node], indexes[next]);
                }
            }

            if (lowlinks[node] == indexes[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);

                if (component.Count > 1)
                {
                    component.Reverse();
                    result.Add(OrderAlongEdges(component, graph));
                }
            }
        }

        foreach (var node in graph.Keys)
        {
            if (!indexes.ContainsKey(node))
            {
                Connect(node);
            }
        }

        return result;
    }

    /// <summary>Orders a strongly connected component as a walk along its edges (A -> B -> C), for the message.</summary>
    private static List<string> OrderAlongEdges(List<string> component, IReadOnlyDictionary<string, string[]> graph)
    {
        var members = component.ToHashSet(StringComparer.Ordinal);
        var walk = new List<string> { component[0] };
        var current = component[0];
        while (walk.Count < component.Count)
        {
            var next = graph[current].FirstOrDefault(n => members.Contains(n) && !walk.Contains(n));
            if (next is null)
            {
                break;
            }

            walk.Add(next);
            current = next;
        }

        return walk.Count == component.Count ? walk : component;
    }

    [GeneratedRegex(@"^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+(::[A-Za-z0-9]+)?::Id$|^List<AWS::[A-Za-z0-9]+::[A-Za-z0-9]+(::[A-Za-z0-9]+)?::Id>$|^AWS::EC2::KeyPair::KeyName$|^AWS::EC2::AvailabilityZone::Name$|^List<AWS::EC2::AvailabilityZone::Name>$|^AWS::Route53::HostedZone::Id$", RegexOptions.CultureInvariant)]
    private static partial Regex AwsParameterType();

    [GeneratedRegex(@"^AWS::SSM::Parameter::Value<.+>$", RegexOptions.CultureInvariant)]
    private static partial Regex SsmParameterType();

    [GeneratedRegex(@"^(AWS|Alexa)::[A-Za-z0-9]+::[A-Za-z0-9]+$|^Custom::[A-Za-z0-9_@-]+$|^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+(::MODULE)?$", RegexOptions.CultureInvariant)]
    private static partial Regex ResourceType();
}
