using System.Text.Json;
using DataPlatform.Build.Process;

namespace DataPlatform.Build.Kube;

/// <summary>
/// A Deployment, DaemonSet or StatefulSet as readiness sees it, read from the API's JSON rather than KubernetesClient's
/// models, whose pod templates are the largest type graph the build would otherwise load on every run (see
/// <see cref="PlatformCluster.GetJsonAsync"/>). Desired and ready as Verify has always counted them: ready (for a
/// Deployment, also available) pods against spec.replicas, or against desiredNumberScheduled for a DaemonSet.
/// </summary>
internal sealed record Workload(string Kind, string Namespace, string Name, IReadOnlyDictionary<string, string> MatchLabels, int Desired, int Ready)
{
    /// <summary>The API list of each kind ("apis/apps/v1/deployments"), as Verify and the warm check read them.</summary>
    public static readonly IReadOnlyList<(string Kind, string Path)> Lists =
        [("daemonset", "apis/apps/v1/daemonsets"), ("deployment", "apis/apps/v1/deployments"), ("statefulset", "apis/apps/v1/statefulsets")];

    public bool IsReady => Ready >= Desired;

    public static Workload From(string kind, JsonElement json)
    {
        var (desired, ready) = kind switch
        {
            // A DaemonSet wants one pod per scheduled node; it has no replicas.
            "daemonset" => (json.Int("status", "desiredNumberScheduled") ?? 0, json.Int("status", "numberReady") ?? 0),
            // Ready and available: a pod that has not stayed ready for minReadySeconds does not serve yet.
            "deployment" => (json.Int("spec", "replicas") ?? 1,
                Math.Min(json.Int("status", "readyReplicas") ?? 0, json.Int("status", "availableReplicas") ?? 0)),
            _ => (json.Int("spec", "replicas") ?? 1, json.Int("status", "readyReplicas") ?? 0),
        };
        return new Workload(kind, json.Str("metadata", "namespace") ?? "", json.ObjectName(),
            json.StringMap("spec", "selector", "matchLabels"), desired, ready);
    }
}
