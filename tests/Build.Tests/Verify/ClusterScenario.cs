using DataPlatform.Build.Tests.Infrastructure;
using k8s.Models;

namespace DataPlatform.Build.Tests.Verify;

/// <summary>
/// A small platform as the API server would describe it: the objects of a healthy data platform, which each test
/// breaks in one place. Namespaces and releases match the fixture helmfile.yaml in <see cref="VerifyFixture"/>.
/// </summary>
public sealed class ClusterScenario
{
    public const string TraefikIp = "172.18.255.245";
    public const string PgIp = "172.18.255.246";
    public const string Range = "172.18.255.245-172.18.255.254";

    public List<V1Deployment> Deployments { get; } =
    [
        Deployment("cert-manager", "cert-manager", 1, 1),
        Deployment("local-path-storage", "local-path-provisioner", 1, 1),
        Deployment("minio", "minio", 1, 1),
        // Not a platform namespace: Verify leaves it alone even though it is broken.
        Deployment("someone-else", "broken-app", 1, 0),
    ];

    public List<V1DaemonSet> DaemonSets { get; } =
    [
        new() { Metadata = Meta("kube-system", "kindnet"), Spec = new() { Selector = Selector("kindnet") }, Status = new() { DesiredNumberScheduled = 3, NumberReady = 3 } },
        new() { Metadata = Meta("traefik", "traefik"), Spec = new() { Selector = Selector("traefik") }, Status = new() { DesiredNumberScheduled = 2, NumberReady = 2 } },
    ];

    public List<V1Pod> Pods { get; } = [];

    public List<V1Service> Services { get; } =
    [
        LoadBalancer("traefik", "traefik", TraefikIp, new() { ["app.kubernetes.io/name"] = "traefik" }, 443),
        LoadBalancer("postgresql", "pg-source", PgIp, new(), 5432),
        new() { Metadata = Meta("minio", "minio", new() { ["app"] = "minio" }), Spec = new() { Type = "ClusterIP" } },
        new() { Metadata = Meta("minio", "minio-console", new() { ["app"] = "minio" }), Spec = new() { Type = "ClusterIP" } },
    ];

    public List<V1Ingress> Ingresses { get; } =
    [
        Ingress("minio", "minio-console", "minio-console.data-platform.internal", "minio-console"),
        Ingress("minio", "minio", "minio.data-platform.internal", "minio"),
    ];

    /// <summary>What `helm list --all-namespaces --all --output json` answers: the latest revision of each release.</summary>
    public List<HelmListRow> HelmReleases { get; } =
    [
        HelmRelease("cert-manager", "cert-manager", 2, "deployed"),
        HelmRelease("traefik", "traefik", 1, "deployed"),
        HelmRelease("minio", "minio", 1, "deployed"),
    ];

    public List<object> Certificates { get; } = [Condition("traefik", "data-platform-wildcard-certificate", "Ready", "True")];
    public List<object> Gateways { get; } = [Condition("traefik", "traefik-gateway", "Programmed", "True")];
    public List<object> IngressRoutes { get; } =
    [
        new { metadata = new { @namespace = "traefik", name = "traefik-dashboard" },
              spec = new { routes = new[] { new { match = "Host(`traefik.data-platform.internal`) && (PathPrefix(`/dashboard`) || PathPrefix(`/api`))" } } } },
    ];
    public List<object> PostgresClusters { get; } = [new { metadata = new { @namespace = "postgresql", name = "pg-source" } }];
    public string BundlePem { get; set; } = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    /// <summary>Serves the scenario; list endpoints are read on every request, so a test may change the scenario between rounds.</summary>
    public void ServeFrom(FakeKubeApi api)
    {
        api.Responses["/apis/apps/v1/deployments"] = () => k8s.KubernetesJson.Serialize(new V1DeploymentList { Items = Deployments });
        api.Responses["/apis/apps/v1/daemonsets"] = () => k8s.KubernetesJson.Serialize(new V1DaemonSetList { Items = DaemonSets });
        api.Responses["/api/v1/pods"] = () => k8s.KubernetesJson.Serialize(new V1PodList { Items = Pods });
        api.Responses["/api/v1/services"] = () => k8s.KubernetesJson.Serialize(new V1ServiceList { Items = Services });
        api.Responses["/apis/networking.k8s.io/v1/ingresses"] = () => k8s.KubernetesJson.Serialize(new V1IngressList { Items = Ingresses });
        api.Responses["/apis/cert-manager.io/v1/certificates"] = () => List(Certificates);
        api.Responses["/apis/gateway.networking.k8s.io/v1/gateways"] = () => List(Gateways);
        api.Responses["/apis/traefik.io/v1alpha1/ingressroutes"] = () => List(IngressRoutes);
        api.Responses["/apis/postgresql.cnpg.io/v1/clusters"] = () => List(PostgresClusters);
        api.Responses["/apis/trust.cert-manager.io/v1alpha1/bundles"] = () => List([
            new { metadata = new { name = "data-platform-ca-bundle" }, spec = new { target = new { configMap = new { key = "ca.crt" } } } }]);
        api.Responses["/api/v1/configmaps"] = () => k8s.KubernetesJson.Serialize(new V1ConfigMapList
        {
            Items = [new V1ConfigMap { Metadata = Meta("minio", "data-platform-ca-bundle"), Data = new Dictionary<string, string> { ["ca.crt"] = BundlePem } }],
        });
    }

    static string List(IEnumerable<object> items) => System.Text.Json.JsonSerializer.Serialize(new { apiVersion = "v1", kind = "List", items });

    public static V1ObjectMeta Meta(string ns, string name, Dictionary<string, string>? labels = null) =>
        new() { NamespaceProperty = ns, Name = name, Labels = labels };

    static V1LabelSelector Selector(string app) => new() { MatchLabels = new Dictionary<string, string> { ["app"] = app } };

    public static V1Deployment Deployment(string ns, string name, int replicas, int ready) => new()
    {
        Metadata = Meta(ns, name),
        Spec = new V1DeploymentSpec { Replicas = replicas, Selector = Selector(name), Template = new V1PodTemplateSpec() },
        Status = new V1DeploymentStatus { ReadyReplicas = ready, AvailableReplicas = ready },
    };

    public static V1Pod Pod(string ns, string name, string app, V1ContainerStatus status) => new()
    {
        Metadata = Meta(ns, name, new() { ["app"] = app }),
        Status = new V1PodStatus { Phase = "Pending", ContainerStatuses = [status] },
    };

    public static V1Service LoadBalancer(string ns, string name, string? ip, Dictionary<string, string> labels, int port) => new()
    {
        Metadata = Meta(ns, name, labels),
        Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = port }] },
        Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = ip is null ? null : [new V1LoadBalancerIngress { Ip = ip }] } },
    };

    static V1Ingress Ingress(string ns, string name, string host, string service) => new()
    {
        Metadata = Meta(ns, name),
        Spec = new V1IngressSpec
        {
            IngressClassName = "traefik",
            Rules = [new V1IngressRule { Host = host, Http = new V1HTTPIngressRuleValue { Paths = [new V1HTTPIngressPath
                { Path = "/", PathType = "Prefix", Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = service, Port = new V1ServiceBackendPort { Number = 9000 } } } }] } }],
        },
        Status = new V1IngressStatus { LoadBalancer = new V1IngressLoadBalancerStatus { Ingress = [new V1IngressLoadBalancerIngress { Ip = TraefikIp }] } },
    };

    public static HelmListRow HelmRelease(string ns, string name, int revision, string status) =>
        new(name, ns, revision.ToString(), "2026-11-25 20:00:00.000000000 +0000 UTC", status, $"{name}-1.0.0", "1.0.0");

    /// <summary>helm list's JSON, in helm's own field names.</summary>
    public string HelmListJson() => System.Text.Json.JsonSerializer.Serialize(HelmReleases.Select(r => new Dictionary<string, string>
    {
        ["name"] = r.Name, ["namespace"] = r.Namespace, ["revision"] = r.Revision, ["updated"] = r.Updated,
        ["status"] = r.Status, ["chart"] = r.Chart, ["app_version"] = r.AppVersion,
    }));

    public static object Condition(string ns, string name, string type, string status, string reason = "", string message = "") => new
    {
        metadata = new { @namespace = ns, name },
        status = new { conditions = new[] { new { type, status, reason, message } } },
    };
}

public sealed record HelmListRow(string Name, string Namespace, string Revision, string Updated, string Status, string Chart, string AppVersion);
