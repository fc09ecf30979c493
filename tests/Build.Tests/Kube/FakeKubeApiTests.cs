using System.Text.Json.Nodes;
using DataPlatform.Build.Tests.Infrastructure;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace DataPlatform.Build.Tests.Kube;

/// <summary>
/// The shared fake API as KubernetesClient (what Verify uses) sees it: objects seeded or created come back through the
/// typed client, selectors filter as the API server's do, and errors are Status objects with the real codes. The
/// real kubectl and helm side is covered by tests/Build.Tests/RealTools.
/// </summary>
public sealed class FakeKubeApiTests
{
    static k8s.Kubernetes Client(FakeKubeApi api) => new(new KubernetesClientConfiguration { Host = api.Url });

    [Fact]
    public async Task Seeded_objects_are_listed_by_namespace_and_filtered_by_label_and_field_selectors()
    {
        await using var api = await FakeKubeApi.StartAsync();
        foreach (var (ns, name, app) in new[] { ("minio", "minio-0", "minio"), ("minio", "console-1", "console"), ("traefik", "traefik-2", "traefik") })
            api.Seed(new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Pod",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = new JsonObject { ["app"] = app } },
                ["status"] = new JsonObject { ["phase"] = "Running" },
            });
        var client = Client(api);

        Assert.Equal(3, (await client.CoreV1.ListPodForAllNamespacesAsync()).Items.Count);
        Assert.Equal(["console-1", "minio-0"], (await client.CoreV1.ListNamespacedPodAsync("minio")).Items.Select(p => p.Metadata.Name).Order());
        Assert.Equal(["minio-0"], (await client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: "app in (minio,postgres)")).Items.Select(p => p.Metadata.Name));
        Assert.Equal(["traefik-2"], (await client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: "app!=minio,app!=console")).Items.Select(p => p.Metadata.Name));
        Assert.Equal(["console-1"], (await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "metadata.namespace=minio,metadata.name!=minio-0")).Items.Select(p => p.Metadata.Name));
        Assert.Equal("Running", (await client.CoreV1.ReadNamespacedPodAsync("minio-0", "minio")).Status.Phase);
    }

    [Fact]
    public async Task Create_conflicts_and_not_found_answer_as_an_API_server_does_and_resourceVersion_grows()
    {
        await using var api = await FakeKubeApi.StartAsync();
        var client = Client(api);
        var map = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings", NamespaceProperty = "default" }, Data = new Dictionary<string, string> { ["a"] = "1" } };

        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(map, "default");
        var again = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedConfigMapAsync(map, "default"));
        created.Data["a"] = "2";
        var replaced = await client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "settings", "default");
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedConfigMapAsync("absent", "default"));
        await client.CoreV1.DeleteNamespacedConfigMapAsync("settings", "default");

        Assert.Equal(System.Net.HttpStatusCode.Conflict, again.Response.StatusCode);
        Assert.Contains("AlreadyExists", again.Response.Content);
        Assert.True(long.Parse(replaced.Metadata.ResourceVersion) > long.Parse(created.Metadata.ResourceVersion));
        Assert.Equal(created.Metadata.Uid, replaced.Metadata.Uid);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.Response.StatusCode);
        Assert.Contains("configmaps \\\"absent\\\" not found", missing.Response.Content);
        Assert.Null(api.Find("v1", "ConfigMap", "default", "settings"));
    }

    [Fact]
    public async Task A_created_CRD_serves_its_kind_in_discovery_and_as_custom_objects()
    {
        await using var api = await FakeKubeApi.StartAsync();
        var client = Client(api);
        api.Seed("""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"ipaddresspools.metallb.io"},
             "spec":{"group":"metallb.io","scope":"Namespaced","names":{"kind":"IPAddressPool","plural":"ipaddresspools","singular":"ipaddresspool"},
                     "versions":[{"name":"v1beta1","served":true,"storage":true}]}}
            """);
        api.Seed("""{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"kind","namespace":"metallb-system"},"spec":{"addresses":["172.18.255.200-172.18.255.250"]}}""");

        var groups = await client.Apis.GetAPIVersionsAsync();
        var pools = await client.CustomObjects.ListNamespacedCustomObjectAsync<JsonObject>("metallb.io", "v1beta1", "metallb-system", "ipaddresspools");
        var crd = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("ipaddresspools.metallb.io");

        Assert.Contains(groups.Groups, g => g.Name == "metallb.io");
        Assert.Equal("kind", pools["items"]![0]!["metadata"]!["name"]!.GetValue<string>());
        Assert.Contains(crd.Status.Conditions, c => c.Type == "Established" && c.Status == "True");
    }

    [Fact]
    public async Task Every_request_is_recorded_with_its_method_path_query_and_body()
    {
        await using var api = await FakeKubeApi.StartAsync();
        var client = Client(api);

        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "minio" } });
        await client.CoreV1.ListNamespacedSecretAsync("minio", labelSelector: "owner=helm");

        var create = Assert.Single(api.Requests, r => r.Method == "POST");
        Assert.Equal("/api/v1/namespaces", create.Path);
        Assert.Contains("\"name\":\"minio\"", create.Body);
        var list = Assert.Single(api.Requests, r => r.Method == "GET");
        Assert.Equal("/api/v1/namespaces/minio/secrets", list.Path);
        Assert.Contains("labelSelector=owner%3Dhelm", list.Query);
    }

    [Fact]
    public async Task A_seeded_helm_release_decodes_back_to_the_release_helm_would_read()
    {
        await using var api = await FakeKubeApi.StartAsync();
        api.SeedHelmRelease(new FakeHelmRelease("minio", "minio", 2, "pending-upgrade"));

        var secret = api.Find("v1", "Secret", "minio", "sh.helm.release.v1.minio.v2")!;
        var release = Assert.Single(api.HelmReleases());

        Assert.Equal("helm.sh/release.v1", secret["type"]!.GetValue<string>());
        Assert.Equal("pending-upgrade", secret["metadata"]!["labels"]!["status"]!.GetValue<string>());
        Assert.Equal("2", secret["metadata"]!["labels"]!["version"]!.GetValue<string>());
        Assert.Equal("pending-upgrade", release["info"]!["status"]!.GetValue<string>());
        Assert.Equal(2, release["version"]!.GetValue<int>());
    }
}
