using System.Text.RegularExpressions;

namespace DataPlatform.Build.Tests.EndToEnd.BadInput;

/// <summary>
/// The mistakes and faults a new user meets first, thrown at the real ./build.sh with stand-in docker, kind, kubectl,
/// helm and helmfile (tests/standins) in place of the real tools. Every case asserts the exit code, that the message
/// names the culprit, that no stack trace, .NET type name or secret is printed, and that nothing changed when the
/// build should have stopped before its first change. The table is run as three classes, which xunit runs in parallel
/// (each case has its own copy of the build root and its own machine): one class of 100 cases ran them one at a time.
/// </summary>
static partial class BadInputTests
{
    public static TheoryData<string> NamesOf(IEnumerable<BadInputCase> cases) => [.. cases.Select(c => c.Name)];

    /// <summary>Runs one case of the table and asserts what every case must hold.</summary>
    public static async Task IsAnsweredClearlyAndChangesNothingAsync(CompiledBuildRoot build, string name)
    {
        var @case = BadInputCases.All.Single(c => c.Name == name);
        using var root = await CaseRoot.CopyAsync(build, @case.CopyBuildOutput);
        using var machine = new Scenario(build) { BuildRoot = root.Path };
        var scratch = Directory.CreateDirectory(Path.Combine(machine.Home, "scratch")).FullName;
        var context = new CaseContext(root, machine, scratch);
        if (@case.Arrange is not null) await @case.Arrange(context);

        var run = await machine.RunBuildAsync(@case.Arguments.Select(a => a.Replace("{scratch}", scratch)).ToArray());

        Assert.True(@case.ExitCode == run.ExitCode, $"expected exit code {@case.ExitCode}\n{run}");
        foreach (var culprit in @case.Culprit.Select(c => c.Replace("{scratch}", scratch)))
            Assert.True(Mentions(run, culprit), $"the message does not name '{culprit}'\n{run}");
        Assert.False(run.HasStackTrace, $"stack trace printed\n{run}");
        Assert.False(TypeName().IsMatch(run.Output), $".NET type name printed: {TypeName().Match(run.Output).Value}\n{run}");
        foreach (var secret in FixturePlatform.SecretValues.Concat(@case.Secrets))
            Assert.False(run.Squashed.Contains(secret, StringComparison.Ordinal), $"secret '{secret}' printed\n{run}");
        if (!@case.MutationsAllowed)
            Assert.True(!run.Calls.Any(c => c.IsMutating), $"a change was made before the mistake was reported\n{run}");
        if (@case.ExitCode == 2)
            Assert.True(run.Calls.Count == 0, $"a command-line mistake must stop before any tool runs\n{run}");
        Assert.Empty(run.Violations);
        @case.Then?.Invoke(context, run);
    }

    static bool Mentions(BuildRun run, string culprit) =>
        run.Text.Contains(culprit, StringComparison.OrdinalIgnoreCase) ||
        run.Squashed.Contains(Regex.Replace(culprit, @"\s+", ""), StringComparison.OrdinalIgnoreCase);

    /// <summary>Namespaced .NET types and exception class names: words a user should never have to read.</summary>
    [GeneratedRegex(@"\b(System|Microsoft|DataPlatform|YamlDotNet|k8s|Cake|Polly|CliWrap)\.[A-Z][A-Za-z]+|\b[A-Z][A-Za-z]*Exception\b")]
    private static partial Regex TypeName();
}

public sealed class CommandLineAndDotEnvMistakes(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>
{
    public static TheoryData<string> Names => BadInputTests.NamesOf(BadInputCases.CommandLineAndDotEnv);

    [Theory]
    [MemberData(nameof(Names))]
    public Task Is_answered_clearly_and_changes_nothing(string name) => BadInputTests.IsAnsweredClearlyAndChangesNothingAsync(build, name);
}

public sealed class PlatformFileMistakes(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>
{
    public static TheoryData<string> Names => BadInputTests.NamesOf(BadInputCases.PlatformFiles);

    [Theory]
    [MemberData(nameof(Names))]
    public Task Is_answered_clearly_and_changes_nothing(string name) => BadInputTests.IsAnsweredClearlyAndChangesNothingAsync(build, name);
}

public sealed class MachineMistakesAndToolFaults(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>
{
    public static TheoryData<string> Names => BadInputTests.NamesOf(BadInputCases.MachineAndFaults);

    [Theory]
    [MemberData(nameof(Names))]
    public Task Is_answered_clearly_and_changes_nothing(string name) => BadInputTests.IsAnsweredClearlyAndChangesNothingAsync(build, name);
}

public sealed class BadInputTableTests
{
    [Fact]
    public void The_table_covers_at_least_sixty_cases_with_unique_names_each_run_by_one_class()
    {
        Assert.True(BadInputCases.All.Count >= 60, $"{BadInputCases.All.Count} cases");
        Assert.Equal(BadInputCases.All.Count, BadInputCases.All.Select(c => c.Name).Distinct().Count());
        Assert.Equal(BadInputCases.All.Count, BadInputCases.CommandLineAndDotEnv.Count + BadInputCases.PlatformFiles.Count + BadInputCases.MachineAndFaults.Count);
    }
}
