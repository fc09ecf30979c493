using System.Text.RegularExpressions;
using Cake.Core.Graph;
using DataPlatform.Build.Tests.Frosting;
using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.Docs;

/// <summary>
/// The README's Targets table is the tasks' own descriptions (what `./build.sh --help` prints), in the order Up runs
/// them, then the other targets by name: a description changed in a task's attribute changes the README with it.
/// </summary>
public class ReadmeTargetsTests
{
    static string ExpectedTable()
    {
        using var build = new TestBuild();
        var upOrder = CakeGraphBuilder.Build(build.Engine.Tasks).Traverse("Up").ToList();
        var tasks = build.Engine.Tasks
            .OrderBy(t => upOrder.IndexOf(t.Name) is var i and >= 0 ? i : int.MaxValue)
            .ThenBy(t => t.Name, StringComparer.Ordinal);
        return string.Join('\n', new[] { "| Target | What it does |", "| --- | --- |" }
            .Concat(tasks.Select(t => $"| `{t.Name}` | {t.Description?.Replace("|", "\\|")} |")));
    }

    [Fact]
    public void The_READMEs_Targets_table_is_the_tasks_descriptions()
    {
        var readme = File.ReadAllText(RepoRoot.File("README.md")).ReplaceLineEndings("\n");
        var section = Regex.Match(readme, @"\n## Targets\n\n(?<table>(?:\|[^\n]*\n)+)");
        Assert.True(section.Success, "README.md has no '## Targets' section starting with a table");
        var expected = ExpectedTable();
        Assert.True(section.Groups["table"].Value.TrimEnd('\n') == expected,
            $"README.md's Targets table differs from the tasks' [TaskDescription] attributes. Replace it with:\n{expected}");
    }

    [Fact]
    public void Every_task_has_a_description_for_the_table()
    {
        using var build = new TestBuild();
        var undescribed = build.Engine.Tasks.Where(t => string.IsNullOrWhiteSpace(t.Description)).Select(t => t.Name).ToList();
        Assert.True(undescribed.Count == 0, $"Tasks without a [TaskDescription]: {string.Join(", ", undescribed)}");
    }
}
