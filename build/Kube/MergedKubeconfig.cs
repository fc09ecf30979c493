using DataPlatform.Build.Frosting;
using k8s;
using k8s.KubeConfigModels;


namespace DataPlatform.Build.Kube;

/// <summary>
/// The kubeconfig files merged as kubectl merges them: for each named cluster, context and user the first file
/// that defines it wins, whole. Paths inside an entry (certificate files) are made absolute against the file that
/// defined it, as kubectl resolves them. Names are compared exactly, as kubectl does.
/// </summary>
internal sealed class MergedKubeconfig
{
    readonly Dictionary<string, (Context Entry, string File)> _contexts = new(StringComparer.Ordinal);
    readonly Dictionary<string, (Cluster Entry, string File)> _clusters = new(StringComparer.Ordinal);
    readonly Dictionary<string, (User Entry, string File)> _users = new(StringComparer.Ordinal);

    MergedKubeconfig(string origin, IReadOnlyList<string> files) { Origin = origin; Files = files; }

    /// <summary>How the files were chosen ("KUBECONFIG=..." or "~/.kube/config"), for messages.</summary>
    public string Origin { get; }

    /// <summary>The files that exist and were read, in priority order.</summary>
    public IReadOnlyList<string> Files { get; }

    public static MergedKubeconfig Merge(IReadOnlyList<(string File, K8SConfiguration Config)> files, string origin)
    {
        var merged = new MergedKubeconfig(origin, files.Select(f => f.File).ToList());
        foreach (var (file, config) in files)
        {
            foreach (var context in config.Contexts ?? [])
                if (context?.Name is { } name) merged._contexts.TryAdd(name, (context, file));
            foreach (var cluster in config.Clusters ?? [])
                if (cluster?.Name is { } name) merged._clusters.TryAdd(name, (cluster, file));
            foreach (var user in config.Users ?? [])
                if (user?.Name is { } name) merged._users.TryAdd(name, (user, file));
        }
        return merged;
    }

    public bool HasContext(string name) => _contexts.ContainsKey(name);

    /// <summary>Every context the files define, in the order kubectl lists them (for the message naming a missing one).</summary>
    public IEnumerable<string> ContextNames => _contexts.Keys.Order(StringComparer.Ordinal);

    /// <summary>The file whose entry for this context wins, or null.</summary>
    public string? FileOf(string context) => _contexts.TryGetValue(context, out var found) ? found.File : null;

    /// <summary>The API server the context points to, or null when the context or its cluster is missing.</summary>
    public string? ServerOf(string context) =>
        _contexts.TryGetValue(context, out var c) && c.Entry.ContextDetails?.Cluster is { } cluster && _clusters.TryGetValue(cluster, out var found)
            ? found.Entry.ClusterEndpoint?.Server
            : null;

    /// <summary>Refuses a missing context: the build never falls back to the current one.</summary>
    public void Require(string context)
    {
        if (!HasContext(context))
            throw new BuildFailure($"kube context {context} is not in your kubeconfig ({Describe()}), and the build never falls back to your current context. " +
                "Run ./build.sh --target=CreateCluster (it creates the cluster, or restores its context if the cluster exists).");
    }

    /// <summary>"KUBECONFIG=a:b (read: a)" or "~/.kube/config (/home/u/.kube/config)": where the build looked.</summary>
    public string Describe() =>
        Files.Count == 0 ? $"{Origin}; no such file exists" : $"{Origin}; read {string.Join(", ", Files)}";

    /// <summary>
    /// A one-context kubeconfig holding exactly the winning context, cluster and user entries, for KubernetesClient.
    /// Handing it only these entries keeps its own (case-insensitive, current-context) lookups out of the decision.
    /// </summary>
    public K8SConfiguration ForContext(string context)
    {
        Require(context);
        var (entry, file) = _contexts[context];
        var clusterName = entry.ContextDetails?.Cluster;
        var userName = entry.ContextDetails?.User;
        string Fix(string what) => $"kube context {context} (in {file}) {what}. " +
            "Rewrite it with ./build.sh --target=CreateCluster (it runs kind export kubeconfig when the cluster exists).";
        if (string.IsNullOrEmpty(clusterName)) throw new BuildFailure(Fix("names no cluster"));
        if (!_clusters.TryGetValue(clusterName, out var cluster)) throw new BuildFailure(Fix($"names the cluster {clusterName}, which no kubeconfig file defines ({Describe()})"));
        if (string.IsNullOrWhiteSpace(cluster.Entry.ClusterEndpoint?.Server)) throw new BuildFailure(Fix($"uses the cluster {clusterName} (in {cluster.File}), which has no server"));
        var clusters = new List<Cluster> { Absolute(cluster.Entry, cluster.File) };
        var users = new List<User>();
        if (!string.IsNullOrEmpty(userName))
        {
            if (!_users.TryGetValue(userName, out var user)) throw new BuildFailure(Fix($"names the user {userName}, which no kubeconfig file defines ({Describe()})"));
            users.Add(Absolute(user.Entry, user.File));
        }
        return new K8SConfiguration
        {
            ApiVersion = "v1",
            Kind = "Config",
            CurrentContext = context,
            Contexts = [entry],
            Clusters = clusters,
            Users = users,
        };
    }

    /// <summary>KubernetesClient's configuration for the context (server, credentials, CA) from the merged entries.</summary>
    public KubernetesClientConfiguration ClientConfiguration(string context) =>
        KubernetesClientConfiguration.BuildConfigFromConfigObject(ForContext(context), currentContext: context);

    static Cluster Absolute(Cluster cluster, string file)
    {
        if (cluster.ClusterEndpoint is { } endpoint)
            endpoint.CertificateAuthority = Resolve(endpoint.CertificateAuthority, file);
        return cluster;
    }

    static User Absolute(User user, string file)
    {
        if (user.UserCredentials is { } credentials)
        {
            credentials.ClientCertificate = Resolve(credentials.ClientCertificate, file);
            credentials.ClientKey = Resolve(credentials.ClientKey, file);
        }
        return user;
    }

    static string? Resolve(string? path, string file) =>
        string.IsNullOrEmpty(path) || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, path));
}
