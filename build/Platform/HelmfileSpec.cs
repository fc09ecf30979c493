using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Platform;

internal sealed record Release(string Name, string Namespace, IReadOnlyList<string> Needs)
{
    public string Id => $"{Namespace}/{Name}";
}

/// <summary>A values file a release lists, and where helmfile.yaml lists it (for the message when it is missing).</summary>
internal sealed record ValuesFileEntry(string Release, string File, int Line, int Column, bool MayBeMissing);

/// <summary>What the build reads from helmfile.yaml: the pinned kube context and the releases with their namespaces.</summary>
internal sealed record HelmfileSpec(string Path, string KubeContext, IReadOnlyList<Release> Releases)
{
    public const string FileName = "helmfile.yaml";

    /// <summary>The values files the releases list (paths, not inline values), in file order.</summary>
    public IReadOnlyList<ValuesFileEntry> ValuesFiles { get; init; } = [];

    public IReadOnlyList<string> Namespaces => Releases.Select(r => r.Namespace).Distinct().ToList();

    /// <summary>helm's own default for --timeout, which helmfile leaves to helm when helmDefaults.timeout is unset.</summary>
    public static readonly TimeSpan DefaultHelmTimeout = TimeSpan.FromSeconds(300);

    /// <summary>helmDefaults.timeout: how long helm may wait for each release (and each hook Job) to become ready.</summary>
    public TimeSpan HelmTimeout { get; init; } = DefaultHelmTimeout;

    /// <summary>
    /// How many groups helmfile runs these releases in, one after the other: the releases of a group run in parallel, and
    /// a release waits for the group that holds its last need (helmfile's DAG plan, pkg/state/state_run.go). That is the
    /// length of the longest `needs` chain. Needs on releases outside the list are ignored (a selector's subset).
    /// </summary>
    public static int NeedsGroups(IReadOnlyList<Release> releases)
    {
        var byId = releases.GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.First());
        var depth = new Dictionary<string, int>();
        int Depth(Release release, int guard)
        {
            if (depth.TryGetValue(release.Id, out var known)) return known;
            // A cycle is reported by the loader; here it only must not loop.
            var deepest = guard > byId.Count ? 0 : release.Needs.Where(byId.ContainsKey).Select(n => Depth(byId[n], guard + 1)).DefaultIfEmpty(0).Max();
            return depth[release.Id] = deepest + 1;
        }
        return releases.Select(r => Depth(r, 0)).DefaultIfEmpty(0).Max();
    }

    /// <summary>The platform's mark, commonLabels' ownership entry; <see cref="Load"/> refuses a file without it.</summary>
    public OwnershipLabel Ownership { get; init; } = null!;

    /// <summary>Where helmDefaults.kubeContext is written, for the message when it does not match kind-config.yaml.</summary>
    internal (int Line, int Column)? KubeContextMark { get; init; }

    public static HelmfileSpec Load(string path)
    {
        var problems = new List<ConfigProblem>();
        var spec = Read(path, problems);
        ConfigFileException.ThrowIfAny(problems);
        return spec!;
    }

    /// <summary>
    /// Reads the releases and checks them as a graph: ids (namespace/name) unique, every `needs` naming a declared
    /// release, no cycle. Null when the file could not be read at all.
    /// </summary>
    internal static HelmfileSpec? Read(string path, List<ConfigProblem> problems)
    {
        var fields = new YamlFields(System.IO.Path.GetFileName(path), problems);
        var root = fields.Mapping(YamlFile.Read(path, problems, "helmDefaults: and releases:"), "the document", "a mapping with helmDefaults: and releases:");
        if (root is null) return null;

        const string contextFix = "pin it to kind-<cluster name from kind-config.yaml> so helmfile never uses your current context.";
        var defaults = fields.Mapping(YamlFields.Get(root, "helmDefaults"), "helmDefaults", "a mapping (kubeContext: …)");
        string? context = null;
        YamlNode? contextNode = null;
        if (defaults is null)
        {
            if (YamlFields.Get(root, "helmDefaults") is null) fields.Add(root, "helmDefaults.kubeContext is missing: " + contextFix);
        }
        else
        {
            context = fields.RequiredText(defaults, "kubeContext", "helmDefaults.kubeContext", "a context name", contextFix);
            contextNode = YamlFields.Get(defaults, "kubeContext");
        }

        if (defaults is not null) HelmfileFields.CheckTypes(defaults, "helmDefaults", HelmfileFields.Defaults, fields);
        var repositories = HelmfileFields.Repositories(root, fields);
        var ownership = OwnershipLabel.Read(root, fields);
        var valuesFiles = new List<ValuesFileEntry>();
        var releases = ReadReleases(root, fields, repositories, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!, valuesFiles,
            defaults is not null && HelmfileFields.ToleratesMissingFiles(defaults));
        return new HelmfileSpec(path, context ?? "", releases.Select(r => r.Release).ToList())
        {
            ValuesFiles = valuesFiles,
            Ownership = ownership!,
            HelmTimeout = defaults is null ? DefaultHelmTimeout : ReadTimeout(defaults, fields),
            KubeContextMark = contextNode is null ? null : ((int)contextNode.Start.Line, (int)contextNode.Start.Column),
        };
    }

    /// <summary>helmDefaults.timeout, in seconds as helmfile takes it; absent, helm's 300 s.</summary>
    static TimeSpan ReadTimeout(YamlMappingNode defaults, YamlFields fields)
    {
        if (YamlFields.Get(defaults, "timeout") is not { } node || YamlFields.IsNull(node)) return DefaultHelmTimeout;
        var text = fields.Text(node, "helmDefaults.timeout", "a number of seconds");
        if (text is null) return DefaultHelmTimeout;
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
            return TimeSpan.FromSeconds(seconds);
        fields.Add(node, $"helmDefaults.timeout is '{text}': write a whole number of seconds (helmfile passes it to helm as --timeout <n>s), e.g. 600.");
        return DefaultHelmTimeout;
    }

    sealed record Located(Release Release, YamlNode Node, IReadOnlyList<(string Need, YamlNode Node)> Needs);

    static List<Located> ReadReleases(YamlMappingNode root, YamlFields fields, IReadOnlySet<string>? repositories, string directory,
        List<ValuesFileEntry> valuesFiles, bool defaultsTolerateMissingFiles)
    {
        var found = new List<Located>();
        var node = YamlFields.Get(root, "releases");
        var sequence = fields.Sequence(node, "releases", "a list of releases (- name:, namespace:, chart:)");
        if (sequence is null && node is not null && !YamlFields.IsNull(node)) return found; // the wrong shape, already reported
        if (sequence is not { Children.Count: > 0 })
        {
            fields.Add(node ?? root, "has no releases: list them under `releases:`.");
            return found;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var path = $"releases[{i}]";
            if (fields.Mapping(sequence.Children[i], path, "a release mapping (name:, namespace:, chart:)") is not { } release) continue;
            var name = fields.RequiredText(release, "name", path + ".name", "the release name", "every release has a name.");
            // Past its name, a release is named in messages as a person reads the file: releases[5] (registry).
            if (name is not null) path = $"{path} ({name})";
            var ns = fields.RequiredText(release, "namespace", path + ".namespace", "a namespace",
                "the build reads each release's namespace (to wait for it, verify it and clean it), so write it out.");
            var needs = new List<(string, YamlNode)>();
            if (fields.Sequence(YamlFields.Get(release, "needs"), path + ".needs", "a list of 'namespace/name' strings") is { } needList)
                for (var j = 0; j < needList.Children.Count; j++)
                    if (fields.Text(needList.Children[j], $"{path}.needs[{j}]", "a 'namespace/name' string") is { } need)
                        needs.Add((need.Trim(), needList.Children[j]));
            HelmfileFields.CheckTypes(release, path, HelmfileFields.ReleaseFields, fields);
            HelmfileFields.CheckChart(release, path, repositories, directory, fields);
            var tolerates = YamlFields.Get(release, "missingFileHandler") is not null
                ? HelmfileFields.ToleratesMissingFiles(release)
                : defaultsTolerateMissingFiles;
            foreach (var (file, entry) in HelmfileFields.ValuesFiles(release, path, fields))
                valuesFiles.Add(new(name ?? path, file, (int)entry.Start.Line, (int)entry.Start.Column, tolerates));
            if (name is not null && ns is not null)
                found.Add(new Located(new Release(name, ns, needs.Select(n => n.Item1).ToList()), release, needs));
        }

        CheckUnique(found, fields);
        CheckNeeds(found, fields);
        CheckCycles(found, fields);
        return found;
    }

    static void CheckUnique(List<Located> releases, YamlFields fields)
    {
        foreach (var group in releases.GroupBy(r => r.Release.Id).Where(g => g.Count() > 1))
        {
            var first = group.First().Node.Start.Line;
            foreach (var duplicate in group.Skip(1))
                fields.Add(duplicate.Node, $"release {group.Key} is declared twice (first at line {first}); namespace/name must be unique, rename or remove one.");
        }
    }

    static void CheckNeeds(List<Located> releases, YamlFields fields)
    {
        var ids = releases.Select(r => r.Release.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var release in releases)
            foreach (var (need, node) in release.Needs)
            {
                if (ids.Contains(need)) continue;
                var parts = need.Split('/');
                var byName = releases.Where(r => r.Release.Name == parts[^1]).Select(r => r.Release.Id).ToList();
                var hint = byName.Count > 0 ? $" Did you mean '{string.Join("' or '", byName)}'?" : "";
                fields.Add(node, parts.Length == 2
                    ? $"release {release.Release.Id} needs '{need}', which is not a release of this file.{hint}"
                    : $"release {release.Release.Id} needs '{need}': write needs as 'namespace/name'.{hint}");
            }
    }

    /// <summary>helmfile refuses a dependency cycle only when it gets there; name the loop, once, at its first release.</summary>
    static void CheckCycles(List<Located> releases, YamlFields fields)
    {
        var byId = releases.GroupBy(r => r.Release.Id).ToDictionary(g => g.Key, g => g.First());
        var done = new HashSet<string>();
        foreach (var start in byId.Keys)
        {
            if (done.Contains(start)) continue;
            // Depth-first without recursion (a hostile file can hold a long chain): the path and, per step, the next need to try.
            var path = new List<(string Id, int Next)> { (start, 0) };
            var onPath = new HashSet<string> { start };
            while (path.Count > 0)
            {
                var (id, next) = path[^1];
                var needs = byId[id].Release.Needs;
                if (next == needs.Count)
                {
                    path.RemoveAt(path.Count - 1);
                    onPath.Remove(id);
                    done.Add(id);
                    continue;
                }
                path[^1] = (id, next + 1);
                var need = needs[next];
                if (!byId.ContainsKey(need) || done.Contains(need)) continue;
                if (onPath.Contains(need))
                {
                    var loop = path.Select(p => p.Id).SkipWhile(p => p != need).Append(need);
                    fields.Add(byId[need].Node, $"releases depend on each other in a cycle: {string.Join(" → ", loop)}. helmfile cannot order them; remove one of these needs.");
                    continue;
                }
                path.Add((need, 0));
                onPath.Add(need);
            }
        }
    }
}
