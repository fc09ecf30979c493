namespace DataPlatform.Build.Frosting;

// The same three attributes Cake.Frosting offers, so task classes read the same and swap over unchanged.

[AttributeUsage(AttributeTargets.Class)]
internal sealed class TaskNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
internal sealed class IsDependentOnAttribute(Type task) : Attribute
{
    public Type Task { get; } = task;
}

[AttributeUsage(AttributeTargets.Class)]
internal sealed class TaskDescriptionAttribute(string description) : Attribute
{
    public string Description { get; } = description;
}

/// <summary>
/// <see cref="IsDependentOnAttribute"/> said by the composition root instead of the task: the task runs after
/// <see cref="Dependencies"/>, in that order. A step's task then names no other step, so the order of a pipeline is
/// written in one place and no step folder needs the step before it.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class TaskDependenciesAttribute(Type task, params Type[] dependencies) : Attribute
{
    public Type Task { get; } = task;
    public IReadOnlyList<Type> Dependencies { get; } = dependencies;
}
