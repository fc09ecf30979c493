using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.Validation;

/// <summary>
/// Table-driven over testdata/&lt;file&gt;/valid-*.yaml and invalid-*.yaml, as kind's config tests are: each case replaces
/// one platform file in a copy of the clone's real files and runs the whole offline validation.
/// </summary>
public class TestdataTests
{
    static readonly Dictionary<string, string> Targets = new()
    {
        ["kind-config"] = "kind-config.yaml",
        ["helmfile"] = "helmfile.yaml",
        ["gateway-api"] = "gateway-api.yaml",
        ["tools"] = "tools.yaml",
        ["env"] = ".env",
        // A values case names the values file it replaces in a `# replaces: values/<file>` line at its top.
        ["values"] = "values/metallb.yaml",
    };

    static string Testdata => RepoRoot.File("tests", "Build.Tests", "Validation", "testdata");

    static TheoryData<string> Cases(string prefix)
    {
        var data = new TheoryData<string>();
        foreach (var folder in Targets.Keys)
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Testdata, folder), prefix + "*").Order(StringComparer.Ordinal))
                data.Add($"{folder}/{Path.GetFileName(file)}");
        return data;
    }

    public static TheoryData<string> ValidCases => Cases("valid-");
    public static TheoryData<string> InvalidCases => Cases("invalid-");

    [Fact]
    public void Every_platform_file_has_valid_and_invalid_cases()
    {
        foreach (var folder in Targets.Keys)
        {
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(Testdata, folder), "valid-*"));
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(Testdata, folder), "invalid-*"));
        }
    }

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void A_valid_file_has_no_problem(string testCase)
    {
        using var root = Replace(testCase, out _, out _);
        Assert.Empty(root.Validate());
    }

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void An_invalid_file_reports_each_problem_at_its_place_and_nothing_else(string testCase)
    {
        using var root = Replace(testCase, out var target, out var text);
        var expected = Expectation.Read(text, target);
        Assert.NotEmpty(expected); // an invalid case states what it expects

        var problems = root.Validate();
        var report = string.Join(Environment.NewLine, problems);
        foreach (var expectation in expected)
            Assert.True(problems.Any(expectation.IsMetBy), $"expected {expectation}, got:{Environment.NewLine}{report}");
        foreach (var problem in problems)
            Assert.True(expected.Any(e => e.IsMetBy(problem)), $"unexpected problem: {problem}");
        NoLeaks.Assert(problems, NoLeaks.SecretsIn(text));
    }

    static ValidationRoot Replace(string testCase, out string target, out string text)
    {
        var folder = testCase.Split('/')[0];
        text = File.ReadAllText(Path.Combine(Testdata, testCase));
        target = System.Text.RegularExpressions.Regex.Match(text, @"^# replaces: (\S+)$", System.Text.RegularExpressions.RegexOptions.Multiline) is { Success: true } replaces
            ? replaces.Groups[1].Value
            : Targets[folder];
        return new ValidationRoot().Write(target, text);
    }
}

public sealed class MergeKeyTests
{
    [Fact]
    public void A_node_merged_from_an_anchor_keeps_its_own_role_and_takes_the_anchor_s_image()
    {
        var config = DataPlatform.Build.Platform.KindConfig.Load(RepoRoot.File("tests", "Build.Tests", "Validation", "testdata", "kind-config", "valid-merge-keys.yaml"));

        Assert.Equal(["control-plane", "worker", "worker"], config.Nodes.Select(n => n.Role));
        Assert.Single(config.Nodes.Select(n => n.Image).Distinct());
        Assert.StartsWith("kindest/node:v1.36.4@sha256:", config.Nodes[2].Image);
    }
}
