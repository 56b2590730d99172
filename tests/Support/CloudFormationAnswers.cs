using System.Text.Json.Nodes;

namespace GluePipeline.Tests.Support;

/// <summary>Scripted CloudFormation answers shared by the deployer's and the targets' tests.</summary>
public static class CloudFormationAnswers
{
    /// <summary>A DescribeStackEvents page: the events given oldest first, returned newest first as CloudFormation does.</summary>
    public static JsonObject Events(string stack, string stackId, string timestamp, params (string Id, string Logical, string Type, string Status, string? Reason)[] events) => new()
    {
        ["StackEvents"] = new JsonArray(events.Reverse().Select(e => (JsonNode)new JsonObject
        {
            ["StackId"] = stackId,
            ["EventId"] = e.Id,
            ["StackName"] = stack,
            ["LogicalResourceId"] = e.Logical,
            ["ResourceType"] = e.Type,
            ["Timestamp"] = timestamp,
            ["ResourceStatus"] = e.Status,
            ["ResourceStatusReason"] = e.Reason ?? string.Empty,
        }).ToArray()),
    };
}
