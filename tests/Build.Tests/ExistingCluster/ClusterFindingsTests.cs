using DataPlatform.Build.ExistingCluster;
using DataPlatform.Build.Host;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tools;
using k8s.Models;

namespace DataPlatform.Build.Tests.ExistingCluster;

/// <summary>Doctor's rules for an existing cluster, one fact changed at a time from a cluster Up can land on.</summary>
public sealed class ClusterFindingsTests
{
    static V1ObjectMeta Meta(string name, Dictionary<string, string>? annotations = null, Dictionary<string, string>? labels = null) =>
        new() { Name = name, Annotations = annotations, Labels = labels };

    /// <summary>The platform's mark, as the repository's helmfile.yaml sets it.</summary>
    static readonly OwnershipLabel Ownership = HelmfileSpec.Load(DataPlatform.Build.Tests.Platform.RepoRoot.File("helmfile.yaml")).Ownership;

    static ClusterFacts Ready() => new()
    {
        Context = "team",
        Server = new VersionInfo { Major = "1", Minor = "36", GitVersion = "v1.36.2" },
        KubectlPin = ToolVersion.Parse("v1.36.4"),
        Permissions = ClusterFindings.NeededPermissions.Select(p => new Permission(p.Verb, p.Group, p.Resource, true)).ToList(),
        StorageClasses = [new V1StorageClass { Metadata = Meta("standard", new() { ["storageclass.kubernetes.io/is-default-class"] = "true" }), Provisioner = "x" }],
        Services = [],
        Nodes = [new V1Node { Metadata = Meta("n1"), Spec = new V1NodeSpec { ProviderID = "aws:///eu-west-1a/i-0abc" } }],
        IngressClasses = [],
        Crds = [],
        Namespaces = [new V1Namespace { Metadata = Meta("default") }],
        Ownership = Ownership,
        PlatformNamespaces = ["cert-manager", "traefik"],
        GatewayVersion = "v1.5.1",
        GatewayChannel = "experimental",
    };

    static IReadOnlyList<HostCheck> Problems(ClusterFacts facts) => ClusterFindings.Examine(facts).Where(c => c.Status != CheckStatus.Ok).ToList();

    static V1CustomResourceDefinition Crd(string name, string group, Dictionary<string, string>? annotations = null) =>
        new() { Metadata = Meta(name, annotations), Spec = new V1CustomResourceDefinitionSpec { Group = group } };

    [Fact]
    public void A_ready_cloud_cluster_has_no_finding() => Assert.Empty(Problems(Ready()));

    [Theory]
    [InlineData("35", true)]
    [InlineData("37", true)]
    [InlineData("34", false)]
    [InlineData("38+", false)]
    public void The_server_must_be_within_one_minor_version_of_the_pinned_kubectl(string minor, bool ok)
    {
        var expected = ok ? CheckStatus.Ok : CheckStatus.Failure;
        var facts = Ready() with { Server = new VersionInfo { Major = "1", Minor = minor, GitVersion = $"v1.{minor.TrimEnd('+')}.0" } };
        Assert.Equal(expected, ClusterFindings.Examine(facts).Single(c => c.Name == "kubernetes version").Status);
    }

    [Fact]
    public void Without_a_provider_MetalLB_range_or_working_LoadBalancer_it_fails_and_each_one_is_enough()
    {
        var none = Ready() with { Nodes = [new V1Node { Metadata = Meta("n1") }] };
        var failure = Assert.Single(Problems(none));
        Assert.Equal("LoadBalancer provider", failure.Name);
        Assert.Contains("METALLB_IP_RANGE", failure.Fix);

        Assert.Empty(Problems(none with { MetalLbRange = "192.168.1.240-192.168.1.250" }));
        var served = new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "apps" }, Spec = new V1ServiceSpec { Type = "LoadBalancer" },
            Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = [new V1LoadBalancerIngress { Hostname = "a1.elb.amazonaws.com" }] } },
        };
        Assert.Empty(Problems(none with { Services = [served] }));
        var k3s = none with { Nodes = [new V1Node { Metadata = Meta("n1", labels: new() { ["node.kubernetes.io/instance-type"] = "k3s" }) }] };
        Assert.Equal(CheckStatus.Warning, Assert.Single(Problems(k3s)).Status);
    }

    [Fact]
    public void Another_default_ingress_class_fails_and_a_non_default_one_only_warns()
    {
        V1IngressClass Traefik(bool isDefault) => new()
        {
            Metadata = Meta("traefik", new() { ["ingressclass.kubernetes.io/is-default-class"] = isDefault ? "true" : "false" }),
            Spec = new V1IngressClassSpec { Controller = "traefik.io/ingress-controller" },
        };
        Assert.Equal(CheckStatus.Failure, Assert.Single(Problems(Ready() with { IngressClasses = [Traefik(true)] })).Status);
        Assert.Equal(CheckStatus.Warning, Assert.Single(Problems(Ready() with { IngressClasses = [Traefik(false)] })).Status);
    }

    [Fact]
    public void A_cert_manager_the_platform_did_not_install_fails_and_its_own_does_not()
    {
        var foreign = Ready() with { Crds = [Crd("certificates.cert-manager.io", "cert-manager.io")] };
        Assert.Equal("cert-manager", Assert.Single(Problems(foreign)).Name);

        var ours = Ready() with
        {
            Crds = [Crd("certificates.cert-manager.io", "cert-manager.io", new() { ["meta.helm.sh/release-namespace"] = "cert-manager" })],
            Namespaces = [new V1Namespace { Metadata = Meta("cert-manager", labels: new() { [OwnershipLabel.Key] = Ownership.Value }) }],
        };
        Assert.Empty(Problems(ours));
    }

    [Fact]
    public void A_foreign_MetalLB_is_the_provider_unless_the_platform_installs_its_own()
    {
        var metalLb = Ready() with { Crds = [Crd("ipaddresspools.metallb.io", "metallb.io")] };
        Assert.Empty(Problems(metalLb));
        Assert.Equal("MetalLB", Assert.Single(Problems(metalLb with { MetalLbRange = "10.0.0.240-10.0.0.250" })).Name);
    }

    [Fact]
    public void Gateway_API_CRDs_of_another_bundle_fail_and_the_same_bundle_is_used_as_it_is()
    {
        Dictionary<string, string> Bundle(string version, string channel) =>
            new() { ["gateway.networking.k8s.io/bundle-version"] = version, ["gateway.networking.k8s.io/channel"] = channel };
        var other = Ready() with { Crds = [Crd("gateways.gateway.networking.k8s.io", "gateway.networking.k8s.io", Bundle("v1.2.1", "standard"))] };
        Assert.Contains("v1.2.1 (standard)", Assert.Single(Problems(other)).Detail);
        Assert.Empty(Problems(Ready() with { Crds = [Crd("gateways.gateway.networking.k8s.io", "gateway.networking.k8s.io", Bundle("v1.5.1", "experimental"))] }));
    }

    [Fact]
    public void A_platform_namespace_without_the_label_is_someone_elses()
    {
        var taken = Ready() with { Namespaces = [new V1Namespace { Metadata = Meta("traefik") }] };
        Assert.Contains("traefik", Assert.Single(Problems(taken)).Detail);
    }

    [Fact]
    public void A_platform_release_helm_keeps_without_the_label_is_someone_elses_and_the_fix_says_how_to_adopt_it()
    {
        var unlabelled = new DataPlatform.Build.Kube.HelmRevisionRecord("traefik", "traefik", 3, "deployed", "traefik-40.2.0", null, null);
        var failure = Assert.Single(Problems(Ready() with { ForeignReleases = [unlabelled] }));
        Assert.Equal("platform releases", failure.Name);
        Assert.Contains("traefik/traefik", failure.Detail);
        Assert.Contains($"kubectl --context team label secret --namespace <namespace> --selector owner=helm,name=<release> {Ownership.Selector}", failure.Fix);
    }

    [Fact]
    public void Each_missing_permission_is_named_with_the_command_that_checks_it()
    {
        var denied = Ready() with
        {
            Permissions = ClusterFindings.NeededPermissions.Select(p => new Permission(p.Verb, p.Group, p.Resource, p.Resource != "customresourcedefinitions")).ToList(),
        };
        var failure = Assert.Single(Problems(denied));
        Assert.Equal("may create customresourcedefinitions.apiextensions.k8s.io", failure.Name);
        Assert.Contains("kubectl auth can-i create customresourcedefinitions.apiextensions.k8s.io", failure.Fix);
    }

    [Fact]
    public void The_demo_secrets_still_taken_from_env_are_the_ones_to_override()
    {
        using var root = new TempRoot();
        File.WriteAllText(Path.Combine(root.Path, ".env"), "MINIO_SECRET_KEY=adminpassword\nREGISTRY_PASSWORD=registrypassword\nMINIO_ACCESS_KEY=adminuser\n");
        File.WriteAllText(Path.Combine(root.Path, ".env.local"), "REGISTRY_PASSWORD=0123456789abcdef\n");
        var variables = PlatformEnvironment.Load(root.Path, _ => null);

        Assert.Equal(["MINIO_SECRET_KEY"], DemoCredentials.StillFromCommittedFile(variables));
        Assert.Equal("for key in MINIO_SECRET_KEY; do echo \"$key=$(openssl rand -hex 24)\"; done >> .env.local", DemoCredentials.GenerateCommand(["MINIO_SECRET_KEY"]));
    }

    sealed class TempRoot : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("existing-cluster-").FullName;
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
