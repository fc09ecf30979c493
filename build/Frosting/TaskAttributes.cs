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
