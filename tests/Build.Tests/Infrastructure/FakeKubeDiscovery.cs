using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace DataPlatform.Build.Tests.Infrastructure;

/// <summary>
/// The fake API's discovery and OpenAPI v3 documents, made from its current resource types (so a CRD's kinds appear
/// once it is created). Legacy discovery only (meta/v1 APIVersions, APIGroupList, APIResourceList): client-go falls
/// back to it when /api and /apis answer plain application/json instead of apidiscovery.k8s.io/v2.
/// </summary>
public static class FakeKubeDiscovery
{
    static readonly string[] Verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public static JsonObject ApiVersions(string serverUrl) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = new Uri(serverUrl).Authority }),
    };

    public static JsonObject GroupList(IReadOnlyList<FakeKubeResource> resources) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(resources.Where(r => r.Group.Length > 0).Select(r => r.Group).Distinct()
            .Select(g => (JsonNode?)Group(resources, g)).ToArray()),
    };

    /// <summary>/apis/&lt;group&gt;: its versions, the first listed being the preferred one; null for an unknown group.</summary>
    public static JsonObject? Group(IReadOnlyList<FakeKubeResource> resources, string group)
    {
        var versions = resources.Where(r => r.Group == group).Select(r => r.Version).Distinct().ToList();
        if (group.Length == 0 || versions.Count == 0) return null;
        JsonObject Version(string v) => new() { ["groupVersion"] = $"{group}/{v}", ["version"] = v };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = new JsonArray(versions.Select(v => (JsonNode?)Version(v)).ToArray()),
            ["preferredVersion"] = Version(versions[0]),
        };
    }

    /// <summary>/api/v1 or /apis/&lt;group&gt;/&lt;version&gt;: each resource and its status subresource; null for an unknown group version.</summary>
    public static JsonObject? ResourceList(IReadOnlyList<FakeKubeResource> resources, string group, string version)
    {
        var served = resources.Where(r => r.Group == group && r.Version == version).ToList();
        if (served.Count == 0) return null;
        var list = new JsonArray();
        foreach (var r in served)
        {
            list.Add(new JsonObject
            {
                ["name"] = r.Plural,
                ["singularName"] = r.Singular,
                ["namespaced"] = r.Namespaced,
                ["kind"] = r.Kind,
                ["verbs"] = new JsonArray(Verbs.Select(v => (JsonNode?)v).ToArray()),
                ["shortNames"] = new JsonArray(r.ShortNames.Select(v => (JsonNode?)v).ToArray()),
                ["storageVersionHash"] = Hash(r.ApiVersion + r.Kind)[..12],
            });
            list.Add(new JsonObject
            {
                ["name"] = r.Plural + "/status",
                ["singularName"] = "",
                ["namespaced"] = r.Namespaced,
                ["kind"] = r.Kind,
                ["verbs"] = new JsonArray("get", "patch", "update"),
            });
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = list,
        };
    }

    /// <summary>/openapi/v3: each group version's document, under "api/v1" or "apis/&lt;group&gt;/&lt;version&gt;", with its content hash.</summary>
    public static JsonObject OpenApiV3Index(IReadOnlyList<FakeKubeResource> resources)
    {
        var paths = new JsonObject();
        foreach (var gv in resources.Select(r => r.GroupVersionPath.TrimStart('/')).Distinct())
            paths[gv] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{gv}?hash={Hash(OpenApiV3Document(resources, gv)!.ToJsonString())}" };
        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>
    /// One group version's OpenAPI v3 document, holding only what kubectl looks for: per kind, a PATCH operation tagged
    /// x-kubernetes-group-version-kind with a fieldValidation query parameter (so validation is left to the server), and
    /// no application/strategic-merge-patch+json body (so client-side apply computes its patch from compiled-in types).
    /// </summary>
    public static JsonObject? OpenApiV3Document(IReadOnlyList<FakeKubeResource> resources, string groupVersionPath)
    {
        var served = resources.Where(r => r.GroupVersionPath.TrimStart('/') == groupVersionPath).ToList();
        if (served.Count == 0) return null;
        var paths = new JsonObject();
        foreach (var r in served)
        {
            var item = r.Namespaced ? $"{r.GroupVersionPath}/namespaces/{{namespace}}/{r.Plural}/{{name}}" : $"{r.GroupVersionPath}/{r.Plural}/{{name}}";
            paths[item] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["operationId"] = $"patch{r.Kind}",
                    ["parameters"] = new JsonArray(
                        new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                        new JsonObject { ["name"] = "fieldManager", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                        new JsonObject { ["name"] = "dryRun", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } }),
                    ["requestBody"] = new JsonObject
                    {
                        ["content"] = new JsonObject
                        {
                            ["application/apply-patch+yaml"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } },
                            ["application/merge-patch+json"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } },
                        },
                    },
                    ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
                    ["x-kubernetes-action"] = "patch",
                    ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = r.Group, ["version"] = r.Version, ["kind"] = r.Kind },
                },
            };
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = FakeKubeApi.ServerVersion },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }

    static string Hash(string text) => Convert.ToHexString(SHA512.HashData(Encoding.UTF8.GetBytes(text)));
}
