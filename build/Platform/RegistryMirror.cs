using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Platform;

/// <summary>
/// One pull-through mirror of the image cache: containerd in every node sends pulls for <see cref="Registry"/> to the
/// container <see cref="Container"/> on the kind network, which fetches from <see cref="Upstream"/> once and keeps the
/// blobs in the volume of the same name.
/// </summary>
internal sealed record RegistryMirror(string Registry, string Container, Uri Upstream, int Line)
{
    /// <summary>Distribution listens on 5000 inside the container; the nodes reach it by container name on the kind network.</summary>
    public const int Port = 5000;

    public string Endpoint => $"http://{Container}:{Port}";
    public string Volume => Container;

    /// <summary>
    /// What containerd reads from /etc/containerd/certs.d/&lt;registry&gt;/hosts.toml: try the mirror first, and fall back
    /// to <c>server</c> (the upstream) when the mirror does not answer, so a stopped or purged cache only costs speed.
    /// </summary>
    public string HostsToml =>
        $"# Written by ./build.sh from kind-config.yaml (image cache); containerd falls back to server when the mirror is down.\n" +
        $"server = \"{ServerOf(Registry)}\"\n\n" +
        $"[host.\"{Endpoint}\"]\n" +
        "  capabilities = [\"pull\", \"resolve\"]\n";

    /// <summary>Where containerd finds this registry's hosts.toml in a node (config_path of kind's node images).</summary>
    public string HostsTomlPath => $"{HostsDirectory}/{Registry}/hosts.toml";

    public const string HostsDirectory = "/etc/containerd/certs.d";

    /// <summary>containerd's default server for a registry host: docker.io is served by registry-1.docker.io.</summary>
    static string ServerOf(string host) => host == "docker.io" ? "https://registry-1.docker.io" : $"https://{host}";
}

/// <summary>
/// Reads the image cache's mirrors from kind-config.yaml's containerdConfigPatches: the lines
/// <c># mirror &lt;registry&gt; = &lt;container&gt; &lt;upstream URL&gt;</c>. They sit in the patch as comments because
/// containerd 2.x (kind v0.27+ node images) takes mirrors only from hosts.toml files under config_path and refuses an
/// inline registry.mirrors table next to config_path, and kind decodes its config strictly (no field of our own):
/// the comment keeps the mapping next to the config_path setting it goes with, and the file goes to kind unchanged.
/// </summary>
internal partial class RegistryMirrors
{
    /// <summary>A problem at a line of kind-config.yaml: reported as "kind-config.yaml:&lt;line&gt;: …", as compilers do.</summary>
    static ConfigFileException At(string path, long line, string problem) =>
        new([new ConfigProblem(System.IO.Path.GetFileName(path), (int)line, null, problem)]);

    [GeneratedRegex(@"^#\s*mirror\b(?<rest>.*)$")]
    private static partial Regex MirrorLine();

    [GeneratedRegex(@"^\s*(?<host>\S+)\s*=\s*(?<container>\S+)\s+(?<upstream>\S+)\s*$")]
    private static partial Regex MirrorFields();

    // A registry host as image references name it: DNS labels, an optional port.
    [GeneratedRegex(@"^(?=.{1,253}(:|$))[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$")]
    private static partial Regex RegistryHost();

    // Docker's rule for container names, kept to what is also a DNS label (the nodes resolve it on the kind network).
    [GeneratedRegex(@"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex ContainerName();

    public static IReadOnlyList<RegistryMirror> Load(string path)
    {
        if (!File.Exists(path)) throw new ConfigFileException(path, $"not found at {path}. Run the build from a clone of the repository.");
        var stream = new YamlStream();
        try { stream.Load(new StringReader(File.ReadAllText(path))); }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ConfigFileException(path, $"is not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) return [];
        if (!root.Children.TryGetValue(new YamlScalarNode("containerdConfigPatches"), out var patches)) return [];
        if (patches is not YamlSequenceNode list)
            throw At(path, patches.Start.Line, $"containerdConfigPatches must be a list of TOML strings.");

        var mirrors = new List<RegistryMirror>();
        foreach (var patch in list)
        {
            if (patch is not YamlScalarNode scalar)
                throw At(path, patch.Start.Line, $"each containerdConfigPatches entry must be a TOML string (use `- |-`).");
            // A block scalar (| or |-) starts on the line after its indicator; its lines map one to one onto the file's.
            var block = scalar.Style is YamlDotNet.Core.ScalarStyle.Literal or YamlDotNet.Core.ScalarStyle.Folded;
            var lines = (scalar.Value ?? "").Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var line = (int)scalar.Start.Line + (block ? 1 + i : 0);
                var match = MirrorLine().Match(lines[i].Trim());
                if (!match.Success) continue;
                mirrors.Add(Parse(path, line, match.Groups["rest"].Value));
            }
        }

        foreach (var duplicate in mirrors.GroupBy(m => m.Registry).Where(g => g.Count() > 1))
            throw At(path, duplicate.ElementAt(1).Line, $"registry {duplicate.Key} has a mirror already on line {duplicate.First().Line}; keep one.");
        foreach (var duplicate in mirrors.GroupBy(m => m.Container).Where(g => g.Count() > 1))
            throw At(path, duplicate.ElementAt(1).Line, $"container {duplicate.Key} already mirrors {duplicate.First().Registry} (line {duplicate.First().Line}); give each registry its own container.");
        return mirrors;
    }

    static RegistryMirror Parse(string path, int line, string rest)
    {
        const string Form = "`# mirror <registry> = <container> <upstream URL>`, e.g. `# mirror docker.io = data-platform-cache-docker-io https://registry-1.docker.io`";
        var fields = MirrorFields().Match(rest);
        if (!fields.Success)
            throw At(path, line, $"a mirror line reads {Form}; found `# mirror{rest}`.");
        var registry = fields.Groups["host"].Value;
        var container = fields.Groups["container"].Value;
        var upstream = fields.Groups["upstream"].Value;
        if (!RegistryHost().IsMatch(registry))
            throw At(path, line, $"'{registry}' is not a registry host (lower-case host name, optional :port, as in docker.io or registry.k8s.io).");
        if (!ContainerName().IsMatch(container))
            throw At(path, line, $"'{container}' cannot be the mirror's container name: use lower-case letters, digits and dashes (at most 63), so the nodes can resolve it.");
        if (!Uri.TryCreate(upstream, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || url.AbsolutePath != "/" || url.Query.Length > 0 || url.UserInfo.Length > 0)
            throw At(path, line, $"'{upstream}' is not the upstream registry's URL: write https://<host> with no path and no credentials.");
        return new RegistryMirror(registry, container, url, line);
    }
}
