using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.Architecture;

/// <summary>
/// The shape docs/architecture.md promises: build/ is one folder per step plus shared plumbing, no folder needs a folder
/// that needs it back, and the task graph drawn there is the one the task attributes declare.
/// </summary>
public sealed partial class ArchitectureTests
{
    const string GraphStart = "```mermaid";
    /// <summary>Set to 1 to rewrite the task graph in docs/architecture.md from the task attributes instead of failing.</summary>
    const string RewriteVariable = "ARCHITECTURE_REWRITE";

    /// <summary>
    /// Folder → the folders its files name in a `using DataPlatform.Build.X;` or a qualified `DataPlatform.Build.X.`.
    /// Read from the sources, not the assembly: a using is what a person sees, and unused ones are build errors (IDE0005),
    /// so every one listed is a real dependency. The root (Program, BuildContext, BuildLifetime) is the composition root
    /// that wires every step, so it is not a folder here.
    /// </summary>
    static Dictionary<string, SortedSet<string>> FolderDependencies()
    {
        var build = RepoRoot.File("build");
        var folders = Directory.GetDirectories(build).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")).ToHashSet()!;
        var graph = folders.ToDictionary(f => f!, _ => new SortedSet<string>());
        foreach (var folder in folders)
            foreach (var file in Directory.EnumerateFiles(Path.Combine(build, folder!), "*.cs", SearchOption.AllDirectories))
                foreach (Match m in BuildNamespace().Matches(File.ReadAllText(file)))
                    if (m.Groups[1].Value != folder && folders.Contains(m.Groups[1].Value))
                        graph[folder!].Add(m.Groups[1].Value);
        return graph;
    }

    [GeneratedRegex(@"\bDataPlatform\.Build\.(\w+)\b")]
    private static partial Regex BuildNamespace();

    [Fact]
    public void No_folder_of_build_depends_on_a_folder_that_depends_back_on_it()
    {
        var graph = FolderDependencies();
        Assert.Contains("Deploy", graph.Keys);   // the parse found the step folders, so an empty graph cannot pass
        Assert.Contains("Frosting", graph["Deploy"]);
        var reachable = graph.Keys.ToDictionary(f => f, f => Reachable(graph, f));
        // An edge a -> b closes a cycle when a is reachable from b.
        var cycleEdges = graph.SelectMany(f => f.Value.Where(d => reachable[d].Contains(f.Key)).Select(d => $"{f.Key} -> {d}")).Order().ToList();
        Assert.True(cycleEdges.Count == 0, "these folder dependencies close a cycle (move the shared type to a folder both may use, " +
            "or let the composition root pass it on: UpPipeline.cs orders the steps, BuildContext carries their results):\n" + string.Join("\n", cycleEdges));
    }

    /// <summary>The shared plumbing, as docs/architecture.md's folder table lists it: what any step may use.</summary>
    static readonly string[] Plumbing = ["Frosting", "Process", "Tools", "Platform", "Kube", "Host", "Progress"];

    [Fact]
    public void Plumbing_depends_on_no_step_folder()
    {
        var graph = FolderDependencies();
        Assert.All(Plumbing, p => Assert.Contains(p, graph.Keys));
        var onSteps = Plumbing.SelectMany(p => graph[p].Except(Plumbing).Select(step => $"{p} -> {step}")).ToList();
        Assert.True(onSteps.Count == 0, "plumbing must not need a step (move the type it uses into plumbing):\n" + string.Join("\n", onSteps));
    }

    static HashSet<string> Reachable(Dictionary<string, SortedSet<string>> graph, string from)
    {
        var seen = new HashSet<string>();
        var todo = new Stack<string>([from]);
        while (todo.Count > 0)
            foreach (var next in graph[todo.Pop()])
                if (seen.Add(next)) todo.Push(next);
        return seen;
    }

    [Fact]
    public void Every_task_lives_in_its_own_step_folder_and_namespace()
    {
        foreach (var task in Tasks())
        {
            var folder = task.Namespace!["DataPlatform.Build".Length..].TrimStart('.');
            var file = Directory.EnumerateFiles(RepoRoot.File("build"), task.Name + ".cs", SearchOption.AllDirectories).Single();
            Assert.Equal(folder, Path.GetRelativePath(RepoRoot.File("build"), Path.GetDirectoryName(file)!).Replace(".", ""));
        }
    }

    [Fact]
    public void The_task_graph_in_docs_architecture_md_is_the_one_the_task_attributes_declare()
    {
        var path = RepoRoot.File("docs", "architecture.md");
        var doc = File.ReadAllText(path);
        var expected = MermaidGraph();
        var start = doc.IndexOf(GraphStart, StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/architecture.md has no {GraphStart} block; add this one:\n{expected}");
        var end = doc.IndexOf("```", start + GraphStart.Length, StringComparison.Ordinal) + 3;
        var actual = doc[start..end];
        if (actual != expected && Environment.GetEnvironmentVariable(RewriteVariable) == "1")
        {
            File.WriteAllText(path, doc[..start] + expected + doc[end..]);
            return;
        }
        Assert.True(actual == expected, $"docs/architecture.md's task graph is not the tasks' own; replace it with the block below " +
            $"(or run the test with {RewriteVariable}=1):\n{expected}");
    }

    [Fact]
    public void The_task_catalog_lists_every_task_class_once()
    {
        var taskClasses = typeof(BuildContext).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(FrostingTask<BuildContext>).IsAssignableFrom(t)).Select(t => t.FullName!).Order().ToList();

        Assert.NotEmpty(taskClasses);
        Assert.Equal(taskClasses, TaskCatalog.All.Select(t => t.FullName!).Order().ToList());
    }

    static IEnumerable<Type> Tasks() =>
        typeof(BuildContext).Assembly.GetTypes().Where(t => t.GetCustomAttribute<TaskNameAttribute>() is not null).OrderBy(t => t.FullName);

    /// <summary>Each task as a node, each dependency (IsDependentOn, TaskDependencies) as an edge from the dependency; nodes say which folder holds the task.</summary>
    static string MermaidGraph()
    {
        var text = new StringBuilder(GraphStart + "\nflowchart LR\n");
        var tasks = Tasks().ToList();
        string Name(Type t) => t.GetCustomAttribute<TaskNameAttribute>()!.Name;
        string Folder(Type t) => t.Namespace == "DataPlatform.Build" ? "build/" : $"build/{t.Namespace!["DataPlatform.Build.".Length..]}/";
        foreach (var task in tasks.OrderBy(Name, StringComparer.Ordinal))
            text.Append($"    {Name(task)}[\"{Name(task)}<br/>{Folder(task)}\"]\n");
        foreach (var task in tasks.OrderBy(Name, StringComparer.Ordinal))
            foreach (var dependency in FrostingHost<BuildContext>.DependenciesOf(task).Select(Name).Order(StringComparer.Ordinal))
                text.Append($"    {dependency} --> {Name(task)}\n");
        return text.Append("```").ToString();
    }
}
