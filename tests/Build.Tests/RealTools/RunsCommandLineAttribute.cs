namespace DataPlatform.Build.Tests.RealTools;

/// <summary>
/// Marks a RealTools test as running, through the real binary, the command line one wrapper method builds:
/// "Kubectl.GetNodesCommand", "Helm.ListReleasesCommand", "ToolInstaller.VersionCommand(helm)". The count in docs/contributing.md and
/// <see cref="RealToolsCoverageTests"/> are made from these marks and the wrappers' methods found by reflection, so a
/// new wrapper method without a real-binary test shows up as uncovered.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
internal sealed class RunsCommandLineAttribute(string commandLine) : Attribute
{
    public string CommandLine { get; } = commandLine;
}
