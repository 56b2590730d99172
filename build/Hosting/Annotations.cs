namespace GluePipeline.Build.Hosting;

/// <summary>Names a task; the name is what <c>--target</c> takes (as in Cake.Frosting).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class TaskNameAttribute(string name) : Attribute
{
    /// <summary>The task's name.</summary>
    public string Name { get; } = name;
}

/// <summary>Describes a task for <c>--description</c> and <c>--help</c> (as in Cake.Frosting).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class TaskDescriptionAttribute(string description) : Attribute
{
    /// <summary>The one-line description.</summary>
    public string Description { get; } = description;
}

/// <summary>Makes the annotated task depend on another task, run before it (as in Cake.Frosting).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class IsDependentOnAttribute(Type task) : Attribute
{
    /// <summary>The task type depended on.</summary>
    public Type Task { get; } = task;
}

/// <summary>Makes another task depend on the annotated task (as in Cake.Frosting).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class IsDependeeOfAttribute(Type task) : Attribute
{
    /// <summary>The task type that will depend on the annotated one.</summary>
    public Type Task { get; } = task;
}
