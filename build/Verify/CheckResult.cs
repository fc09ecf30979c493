namespace DataPlatform.Build.Verify;

/// <summary>One verified fact about the platform: a name a person recognises, pass or fail, and the reason.</summary>
internal sealed record CheckResult(string Category, string Name, bool Passed, string Detail)
{
    public static CheckResult Pass(string category, string name, string detail = "") => new(category, name, true, detail);
    public static CheckResult Fail(string category, string name, string detail) => new(category, name, false, detail);
}

internal static class Categories
{
    public const string Workloads = "workloads";
    public const string Platform = "platform";
    public const string Probes = "probes";
}
