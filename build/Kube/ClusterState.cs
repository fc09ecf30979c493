using System.Net;
using System.Text.Json;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.Process;
using k8s;
using k8s.Autorest;
using k8s.Models;


namespace DataPlatform.Build.Kube;

/// <summary>
/// One reading of everything Verify and PrintHosts look at. The checks are pure functions of this snapshot,
/// so a round of verification is one burst of API calls followed by plain evaluation.
/// Custom resources stay JSON: they are read through the generic custom-objects API, and a list is null
/// when its CRD is not installed.
/// </summary>
internal sealed record ClusterState
{
    public IReadOnlyList<Workload> Workloads { get; init; } = [];
    public IList<V1Pod> Pods { get; init; } = [];
    public IList<V1PersistentVolumeClaim> Claims { get; init; } = [];
    public IList<V1Service> Services { get; init; } = [];
    public IList<V1Ingress> Ingresses { get; init; } = [];
    public IList<V1IngressClass> IngressClasses { get; init; } = [];
    public IReadOnlyList<JsonElement>? Certificates { get; init; }
    public IReadOnlyList<JsonElement>? Bundles { get; init; }
    public IReadOnlyList<JsonElement>? Gateways { get; init; }
    public IReadOnlyList<JsonElement>? HttpRoutes { get; init; }
    public IReadOnlyList<JsonElement>? IngressRoutes { get; init; }
    public IReadOnlyList<JsonElement>? PostgresClusters { get; init; }
    /// <summary>Bundle name → the ConfigMap trust-manager wrote for it (null when none exists yet).</summary>
    public IReadOnlyDictionary<string, V1ConfigMap?> BundleConfigMaps { get; init; } = new Dictionary<string, V1ConfigMap?>();
    /// <summary>"namespace/pod/container" → last log lines of the previous run, for containers in CrashLoopBackOff.</summary>
    public IReadOnlyDictionary<string, string> CrashLogs { get; init; } = new Dictionary<string, string>();

    public static string CrashLogKey(V1Pod pod, string container) => $"{pod.Namespace()}/{pod.Name()}/{container}";
}

internal static class ClusterReader
{
    const int LogLines = 15;

    /// <summary>
    /// Reads the cluster. An API server that cannot be reached, or that refuses our credentials, stops Verify at
    /// once: waiting out the timeout would not change that.
    /// </summary>
    public static Task<ClusterState> ReadAsync(PlatformCluster cluster, IReadOnlyCollection<string> workloadNamespaces, CancellationToken ct) =>
        AskAsync(cluster, (_, token) => ReadAllAsync(cluster, workloadNamespaces, token), ct);

    /// <summary>Every Deployment, DaemonSet and StatefulSet of the cluster: three requests, for a quick look at readiness.</summary>
    public static Task<IReadOnlyList<Workload>> ReadWorkloadsAsync(PlatformCluster cluster, CancellationToken ct) =>
        AskAsync(cluster, (_, token) => WorkloadsAsync(cluster, token), ct);

    static async Task<IReadOnlyList<Workload>> WorkloadsAsync(PlatformCluster cluster, CancellationToken ct)
    {
        var lists = await Task.WhenAll(Workload.Lists.Select(async list =>
        {
            using var json = await cluster.GetJsonAsync(list.Path, ct);
            return json.RootElement.ListItems().Select(item => Workload.From(list.Kind, item)).ToList();
        }));
        return lists.SelectMany(list => list).ToList();
    }

    static async Task<ClusterState> ReadAllAsync(PlatformCluster cluster, IReadOnlyCollection<string> workloadNamespaces, CancellationToken ct)
    {
        var k = cluster.Client;
        // The first call alone, so that an unreachable cluster fails here, fast, with one clear message.
        var services = await k.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: ct);
        var workloads = WorkloadsAsync(cluster, ct);
        var pods = k.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct);
        var claims = k.CoreV1.ListPersistentVolumeClaimForAllNamespacesAsync(cancellationToken: ct);
        var ingresses = k.NetworkingV1.ListIngressForAllNamespacesAsync(cancellationToken: ct);
        var ingressClasses = k.NetworkingV1.ListIngressClassAsync(cancellationToken: ct);
        var certificates = Custom(k, "cert-manager.io", "v1", "certificates", ct);
        var bundles = Custom(k, "trust.cert-manager.io", "v1alpha1", "bundles", ct);
        var gateways = Custom(k, "gateway.networking.k8s.io", "v1", "gateways", ct);
        var httpRoutes = Custom(k, "gateway.networking.k8s.io", "v1", "httproutes", ct);
        var ingressRoutes = Custom(k, "traefik.io", "v1alpha1", "ingressroutes", ct);
        var postgres = Custom(k, "postgresql.cnpg.io", "v1", "clusters", ct);

        var state = new ClusterState
        {
            Services = services.Items,
            Workloads = await workloads,
            Pods = (await pods).Items,
            Claims = (await claims).Items,
            Ingresses = (await ingresses).Items,
            IngressClasses = (await ingressClasses).Items,
            Certificates = await certificates,
            Bundles = await bundles,
            Gateways = await gateways,
            HttpRoutes = await httpRoutes,
            IngressRoutes = await ingressRoutes,
            PostgresClusters = await postgres,
        };
        return state with
        {
            BundleConfigMaps = await BundleConfigMapsAsync(k, state.Bundles ?? [], ct),
            CrashLogs = await CrashLogsAsync(k, state.Pods.Where(p => workloadNamespaces.Contains(p.Namespace())), ct),
        };
    }

    /// <summary>
    /// One exchange with the platform's API server, its failures told in a person's words: an unreachable or silent
    /// server, or credentials it refuses. Every reader of the cluster goes through here.
    /// </summary>
    public static async Task<T> AskAsync<T>(PlatformCluster cluster, Func<IKubernetes, CancellationToken, Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call(cluster.Client, ct);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            // Not Ctrl+C (that cancels ct): the client's per-request timeout gave up on a server that never answered.
            throw NoAnswer(cluster, cluster.RequestTimeout, e);
        }
        catch (HttpRequestException e)
        {
            throw new BuildFailure($"Cannot reach the Kubernetes API of context {cluster.Context} at {cluster.Server}: {e.Message}. " +
                $"Is the cluster running? Start it with ./build.sh --target=Up (docker ps should list the {KindClusterName(cluster.Context)} nodes), then run Verify again.", e);
        }
        catch (JsonException e)
        {
            // Something between the build and the API (a corporate proxy's login page, a wrong server in the kubeconfig)
            // answered in its place: name the server and how to see what it says, not the parser's type.
            throw new BuildFailure($"The Kubernetes API of context {cluster.Context} at {cluster.Server} answered something that is not the API's JSON " +
                $"({e.Message.Split('\n')[0]}). Is a proxy answering in its place (HTTPS_PROXY, NO_PROXY), or does your kubeconfig name the wrong server? " +
                $"kubectl --context {cluster.Context} get --raw /api shows what answers.", e);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new BuildFailure($"The Kubernetes API of context {cluster.Context} at {cluster.Server} refused the request ({(int)e.Response.StatusCode} {e.Response.StatusCode}). " +
                $"The credentials of {cluster.Context} in your kubeconfig are stale: run kind export kubeconfig --name {KindClusterName(cluster.Context)} (or ./build.sh --target=CreateCluster), then Verify again.", e);
        }
    }

    /// <summary>An API server that took the connection but gave no answer in time: name it, and what to look at.</summary>
    public static BuildFailure NoAnswer(PlatformCluster cluster, TimeSpan waited, Exception? inner = null) =>
        new($"the Kubernetes API of {cluster.Context} at {cluster.Server} did not answer within {waited.TotalSeconds:0} s: " +
             "is the cluster's control-plane container running (docker ps)? If it is, it may be overloaded: " +
             $"kubectl --context {cluster.Context} get --raw /readyz shows whether it answers at all.", inner);

    /// <summary>kind names a cluster's context kind-&lt;cluster&gt;; the platform's context is always one of kind's.</summary>
    static string KindClusterName(string context) => context.StartsWith("kind-", StringComparison.Ordinal) ? context["kind-".Length..] : context;

    /// <summary>Items of a cluster-wide custom resource list; null when the API does not know the resource (CRD not installed).</summary>
    static async Task<IReadOnlyList<JsonElement>?> Custom(IKubernetes k, string group, string version, string plural, CancellationToken ct)
    {
        try
        {
            var list = await k.CustomObjects.ListClusterCustomObjectAsync<JsonElement>(group, version, plural, cancellationToken: ct);
            return list.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array ? items.EnumerateArray().ToList() : [];
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    static async Task<IReadOnlyDictionary<string, V1ConfigMap?>> BundleConfigMapsAsync(IKubernetes k, IEnumerable<JsonElement> bundles, CancellationToken ct)
    {
        var found = new Dictionary<string, V1ConfigMap?>();
        foreach (var bundle in bundles)
        {
            // trust-manager v1alpha1 names the target ConfigMap after the Bundle, in every selected namespace.
            var name = bundle.Str("metadata", "name");
            if (name is null || bundle.Str("spec", "target", "configMap", "key") is null) continue;
            var maps = await k.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: $"metadata.name={name}", cancellationToken: ct);
            found[name] = maps.Items.FirstOrDefault(m => m.Name() == name);
        }
        return found;
    }

    static async Task<IReadOnlyDictionary<string, string>> CrashLogsAsync(IKubernetes k, IEnumerable<V1Pod> pods, CancellationToken ct)
    {
        var logs = new Dictionary<string, string>();
        foreach (var pod in pods)
            foreach (var status in pod.Status?.ContainerStatuses ?? [])
            {
                if (status.State?.Waiting?.Reason != "CrashLoopBackOff") continue;
                try
                {
                    await using var stream = await k.CoreV1.ReadNamespacedPodLogAsync(pod.Name(), pod.Namespace(), container: status.Name,
                        previous: true, tailLines: LogLines, cancellationToken: ct);
                    logs[ClusterState.CrashLogKey(pod, status.Name)] = (await new StreamReader(stream).ReadToEndAsync(ct)).TrimEnd();
                }
                catch (HttpOperationException)
                {
                    // The previous container's log may be gone already; the reason alone still says what happens.
                }
            }
        return logs;
    }
}
