namespace DataPlatform.Build.Tests.Infrastructure;

/// <summary>
/// One kind of object the fake API serves: its group/version, plural (the URL segment), kind and scope, as an API
/// server's discovery lists it (k8s.io/apimachinery/pkg/apis/meta/v1 APIResource).
/// </summary>
public sealed record FakeKubeResource(string Group, string Version, string Plural, string Kind, bool Namespaced, params string[] ShortNames)
{
    /// <summary>"v1" for the core group, else "group/version", as objects' apiVersion says.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>"/api/v1" or "/apis/group/version": where the resource's URLs start.</summary>
    public string GroupVersionPath => Group.Length == 0 ? "/api/" + Version : $"/apis/{Group}/{Version}";

    public string Singular => Kind.ToLowerInvariant();

    /// <summary>
    /// The built-in resources of a kind cluster that the build or its tools touch: the core objects Verify reads, helm's
    /// release Secrets, the nodes kubectl waits for, the workloads and ingresses, and the CRD type that makes more.
    /// </summary>
    public static IReadOnlyList<FakeKubeResource> BuiltIn { get; } =
    [
        new("", "v1", "namespaces", "Namespace", false, "ns"),
        new("", "v1", "nodes", "Node", false, "no"),
        new("", "v1", "configmaps", "ConfigMap", true, "cm"),
        new("", "v1", "secrets", "Secret", true),
        new("", "v1", "services", "Service", true, "svc"),
        new("", "v1", "pods", "Pod", true, "po"),
        new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, "pvc"),
        new("", "v1", "serviceaccounts", "ServiceAccount", true, "sa"),
        new("", "v1", "events", "Event", true, "ev"),
        new("apps", "v1", "deployments", "Deployment", true, "deploy"),
        new("apps", "v1", "daemonsets", "DaemonSet", true, "ds"),
        new("apps", "v1", "statefulsets", "StatefulSet", true, "sts"),
        new("apps", "v1", "replicasets", "ReplicaSet", true, "rs"),
        new("networking.k8s.io", "v1", "ingresses", "Ingress", true, "ing"),
        new("networking.k8s.io", "v1", "ingressclasses", "IngressClass", false),
        new("storage.k8s.io", "v1", "storageclasses", "StorageClass", false, "sc"),
        new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, "crd", "crds"),
    ];
}
