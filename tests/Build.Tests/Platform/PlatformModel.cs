using DataPlatform.Build.Platform;
using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Tests.Platform;

/// <summary>One helmfile release as the tests see it: its id, chart, needs and values files.</summary>
internal sealed record PlatformRelease(string Id, string Namespace, string Chart, string? Version, IReadOnlyList<string> Needs, IReadOnlyList<string> ValuesFiles)
{
    /// <summary>The chart's own name, without its repository: "jetstack/trust-manager" → "trust-manager".</summary>
    public string ChartName => Chart.StartsWith("./", StringComparison.Ordinal) ? System.IO.Path.GetFileName(Chart) : Chart.Split('/')[^1];
}

/// <summary>A Kubernetes object that a release renders from its values (`extraObjects`).</summary>
internal sealed record PlatformObject(PlatformRelease Release, YamlMappingNode Node)
{
    public string Kind => Node.Scalar("kind") ?? "";
    public string ApiVersion => Node.Scalar("apiVersion") ?? "";
    /// <summary>"" for the core group (apiVersion v1).</summary>
    public string Group => ApiVersion.Contains('/') ? ApiVersion[..ApiVersion.IndexOf('/')] : "";
    public string Name => (Node.Get("metadata") as YamlMappingNode)?.Scalar("name") ?? "";
    public YamlMappingNode Spec => Node.Get("spec") as YamlMappingNode ?? new YamlMappingNode();
    public override string ToString() => $"{Kind} {Name} (release {Release.Id})";
}

/// <summary>
/// helmfile.yaml and every release's values, rendered the way helmfile renders them (see <see cref="GoTemplate"/>),
/// with .env and the variables the build computes. Read once per test run.
/// </summary>
internal static class PlatformModel
{
    static readonly Lazy<YamlMappingNode> HelmfileNode = new(() => Yaml.LoadMapping(RepoRoot.File("helmfile.yaml")));
    static readonly Lazy<IReadOnlyList<PlatformRelease>> AllReleases = new(LoadReleases);
    static readonly Lazy<IReadOnlyDictionary<string, YamlMappingNode>> RenderedValues = new(RenderAll);

    public static YamlMappingNode Helmfile => HelmfileNode.Value;

    public static IReadOnlyList<PlatformRelease> Releases => AllReleases.Value;

    /// <summary>
    /// What helmfile's templates read: .env plus what the build computes before `helmfile apply`
    /// (BuildContext.HelmfileEnvironmentAsync), computed here with the build's own code.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Environment()
    {
        var environment = new Dictionary<string, string>(DotEnv.Load(RepoRoot.File(".env")));
        foreach (var (key, value) in ComputedVariables(environment)) environment[key] = value;
        return environment;
    }

    /// <summary>The variables the build computes and exports for helmfile; they are not in .env.</summary>
    public static IReadOnlyDictionary<string, string> ComputedVariables(IReadOnlyDictionary<string, string> dotEnv) => new Dictionary<string, string>
    {
        // The docker network kind creates by default.
        ["METALLB_IP_RANGE"] = MetalLbRange.FromSubnet("172.18.0.0/16"),
        ["REGISTRY_HTPASSWD"] = Htpasswd.Line(dotEnv.GetValueOrDefault("REGISTRY_USER", "u"), dotEnv.GetValueOrDefault("REGISTRY_PASSWORD", "p")),
    };

    /// <summary>The merged values of a release (later files win at the top level, enough for our files).</summary>
    public static YamlMappingNode Values(PlatformRelease release) => RenderedValues.Value[release.Id];

    public static IEnumerable<PlatformObject> Objects() =>
        Releases.SelectMany(r => Values(r).Items("extraObjects").OfType<YamlMappingNode>().Select(o => new PlatformObject(r, o)));

    /// <summary>Every release that <paramref name="release"/> needs, directly or through others.</summary>
    public static IReadOnlySet<string> NeedsClosure(PlatformRelease release)
    {
        var byId = Releases.ToDictionary(r => r.Id);
        var seen = new HashSet<string>();
        var pending = new Stack<string>(release.Needs);
        while (pending.TryPop(out var id))
        {
            if (!seen.Add(id) || !byId.TryGetValue(id, out var next)) continue;
            foreach (var need in next.Needs) pending.Push(need);
        }

        return seen;
    }

    public static string Render(string valuesFile, IReadOnlyDictionary<string, string> environment)
    {
        var path = RepoRoot.File(valuesFile);
        return path.EndsWith(".gotmpl", StringComparison.Ordinal) ? GoTemplate.Render(path, environment) : File.ReadAllText(path);
    }

    static IReadOnlyList<PlatformRelease> LoadReleases() =>
        Helmfile.Items("releases").Cast<YamlMappingNode>().Select(r => new PlatformRelease(
            $"{r.Scalar("namespace")}/{r.Scalar("name")}",
            r.Scalar("namespace") ?? "",
            r.Scalar("chart") ?? "",
            r.Scalar("version"),
            r.Items("needs").OfType<YamlScalarNode>().Select(n => n.Value!).ToList(),
            r.Items("values").OfType<YamlScalarNode>().Select(n => n.Value!).ToList())).ToList();

    static IReadOnlyDictionary<string, YamlMappingNode> RenderAll()
    {
        var environment = Environment();
        var result = new Dictionary<string, YamlMappingNode>();
        foreach (var release in Releases)
        {
            var merged = new YamlMappingNode();
            foreach (var file in release.ValuesFiles)
            {
                var documents = Yaml.Parse(Render(file, environment), file);
                if (documents.Count == 0 || documents[0].RootNode is not YamlMappingNode root) continue;
                foreach (var (key, value) in root.Children) merged.Children[key] = value;
            }

            result[release.Id] = merged;
        }

        return result;
    }
}
