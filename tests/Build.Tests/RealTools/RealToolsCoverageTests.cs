using System.Reflection;
using System.Text.RegularExpressions;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Tests.Platform;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Tests.RealTools;

/// <summary>
/// Which helm and kubectl command lines the build can issue, and which of them a RealTools test runs through the real
/// binary. The lines are found, not listed: every public *Command method of the Kubectl and Helm wrappers (Command
/// itself, the generic builder, excepted), plus EnsureTools' version probe of each. A new wrapper method is uncovered
/// until a test marked [RunsCommandLine] runs it; the count stated in docs/contributing.md is checked against the same numbers.
/// </summary>
public sealed partial class RealToolsCoverageTests
{
    /// <summary>The version probes ToolInstaller.VersionCommand builds for kubectl and helm (a switch, so not found by reflection).</summary>
    static readonly string[] VersionProbes = ["ToolInstaller.VersionCommand(kubectl)", "ToolInstaller.VersionCommand(helm)"];

    internal static IReadOnlyList<string> CommandLines() =>
        new[] { typeof(Kubectl), typeof(Helm) }
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => m.ReturnType == typeof(ToolCommand) && m.Name.EndsWith("Command", StringComparison.Ordinal) && m.Name != "Command")
                .Select(m => $"{type.Name}.{m.Name}"))
            .Concat(VersionProbes).Distinct().Order(StringComparer.Ordinal).ToList();

    static IReadOnlyList<(MethodInfo Test, string CommandLine)> Marks() =>
        typeof(RealToolsCoverageTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .SelectMany(m => m.GetCustomAttributes<RunsCommandLineAttribute>().Select(a => (m, a.CommandLine)))
            .ToList();

    [Fact]
    public void Every_command_line_a_wrapper_builds_is_run_by_a_real_binary()
    {
        var covered = Marks().Select(m => m.CommandLine).ToHashSet();
        var uncovered = CommandLines().Where(line => !covered.Contains(line)).ToList();
        Assert.True(uncovered.Count == 0,
            $"no RealTools test runs these command lines through the real binary: {string.Join(", ", uncovered)}. " +
            "Add one (tests/Build.Tests/RealTools/) and mark it [RunsCommandLine(\"<Wrapper>.<Method>\")].");
    }

    [Fact]
    public void Every_mark_names_a_command_line_the_build_has_on_a_RealTools_test()
    {
        var lines = CommandLines();
        Assert.All(Marks(), mark =>
        {
            Assert.True(lines.Contains(mark.CommandLine), $"{mark.Test.DeclaringType!.Name}.{mark.Test.Name} marks '{mark.CommandLine}', which no wrapper builds: {string.Join(", ", lines)}");
            Assert.True(mark.Test.GetCustomAttributes<FactAttribute>().Any(), $"{mark.Test.Name} is marked but is not a test");
            var realTools = mark.Test.DeclaringType!.CustomAttributes.Concat(mark.Test.CustomAttributes)
                .Any(a => a.AttributeType == typeof(TraitAttribute) && a.ConstructorArguments.Select(c => c.Value).SequenceEqual(new object?[] { "Category", RealBinaries.Category }));
            Assert.True(realTools, $"{mark.Test.DeclaringType.Name}.{mark.Test.Name} runs a real binary but lacks [Trait(\"Category\", \"RealTools\")]");
        });
    }

    [GeneratedRegex(@"(\d+) of (\d+) distinct helm/kubectl command lines")]
    private static partial Regex CountSentence();

    [Fact]
    public void The_contributing_guide_states_how_many_command_lines_run_by_a_real_binary()
    {
        var guide = File.ReadAllText(RepoRoot.File("docs", "contributing.md"));
        var match = CountSentence().Match(guide);
        Assert.True(match.Success, "docs/contributing.md's Tests section lacks \"N of M distinct helm/kubectl command lines run by a real binary\"");
        var lines = CommandLines();
        var covered = Marks().Select(m => m.CommandLine).Where(lines.Contains).Distinct().Count();
        Assert.Equal($"{covered} of {lines.Count}", $"{match.Groups[1].Value} of {match.Groups[2].Value}");
    }
}
