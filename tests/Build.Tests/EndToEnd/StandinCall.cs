using System.Text.Json;

namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>One call a stand-in tool recorded: what the build asked docker/kind/kubectl/helm/helmfile to do.</summary>
public sealed record StandinCall(string Tool, IReadOnlyList<string> Argv, string? Context, IReadOnlyDictionary<string, string> Environment, string WorkingDirectory)
{
    static readonly HashSet<string> FlagsWithValues =
        ["--context", "--kube-context", "--file", "-f", "--filename", "--config", "--name", "-n", "--namespace", "--wait", "--format", "-o", "--output",
         "--network", "--restart", "--label", "--publish", "--env", "--filter", "--selector", "-l", "--timeout"];

    /// <summary>The argv without flags: ["create", "cluster"], ["get", "crd", "gateways..."], ["apply"].</summary>
    public IReadOnlyList<string> Words
    {
        get
        {
            var words = new List<string>();
            for (var i = 0; i < Argv.Count; i++)
            {
                if (!Argv[i].StartsWith('-')) words.Add(Argv[i]);
                else if (FlagsWithValues.Contains(Argv[i])) i++;
            }
            return words;
        }
    }

    /// <summary>"kind create cluster", "kubectl get crd", "helmfile apply": the tool and its first two words.</summary>
    public string Signature => string.Join(' ', Words.Take(2).Prepend(Tool));

    /// <summary>Version probes (EnsureTools) touch no cluster and change nothing.</summary>
    public bool IsVersionQuery => Words.FirstOrDefault() == "version" || Argv.Contains("--version");

    /// <summary>Calls that talk to a Kubernetes cluster: these must all name the platform's context.</summary>
    public bool IsClusterCall => Tool is "kubectl" or "helm" or "helmfile" && !IsVersionQuery && Words.FirstOrDefault() is not ("config" or "plugin" or "init");

    public bool IsMutating => (Tool, Words.FirstOrDefault()) switch
    {
        ("kind", "create" or "delete" or "load") => true,
        ("kind", "export") => Words.ElementAtOrDefault(1) != "logs",   // export kubeconfig writes the kubeconfig; export logs only reads
        ("kubectl", "apply" or "create" or "delete" or "patch" or "replace" or "label" or "annotate" or "scale" or "edit") => true,
        ("helm", "install" or "upgrade" or "uninstall" or "rollback") => true,
        ("helmfile", "apply" or "sync" or "destroy" or "delete") => true,
        ("docker", "run" or "rm" or "create" or "start" or "stop") => true,
        ("docker", "network") => Words.ElementAtOrDefault(1) != "inspect",
        ("docker", "volume") => Words.ElementAtOrDefault(1) is "create" or "rm" or "prune",
        ("docker", "exec") => Words.ElementAtOrDefault(2) is not ("cat" or "sha256sum"),
        _ => false,
    };

    /// <summary>When the call started and ended (epoch seconds, as the stand-in recorded them).</summary>
    public double Start { get; init; }
    public double End { get; init; }

    public override string ToString() => string.Join(' ', Argv.Prepend(Tool));

    public static StandinCall Parse(string jsonLine)
    {
        using var document = JsonDocument.Parse(jsonLine);
        var root = document.RootElement;
        return new StandinCall(
            root.GetProperty("tool").GetString()!,
            root.GetProperty("argv").EnumerateArray().Select(a => a.GetString()!).ToList(),
            root.GetProperty("context").GetString(),
            root.GetProperty("env").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? ""),
            root.GetProperty("cwd").GetString()!)
        {
            Start = root.TryGetProperty("time", out var start) ? start.GetDouble() : 0,
            End = root.TryGetProperty("end", out var end) ? end.GetDouble() : 0,
        };
    }
}
