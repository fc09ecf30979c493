using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DataPlatform.Build.Tests.Infrastructure;

/// <summary>One request the fake API received, as sent: the bearer token tells which kubeconfig user (so context) sent it.</summary>
public sealed record FakeKubeRequest(string Method, string Path, string Query, string Body, string? Authorization, string? Accept, string? ContentType)
{
    public string PathAndQuery => Path + Query;
    public override string ToString() => $"{Method} {PathAndQuery}";
}

/// <summary>
/// A Kubernetes API server on 127.0.0.1 (plain http: kubectl, helm and KubernetesClient all take an http:// server
/// in a kubeconfig) that real kubectl 1.35, helm 4 and 3 and KubernetesClient accept: version, legacy discovery,
/// the OpenAPI v3 index kubectl reads before it validates, generic in-memory objects (<see cref="FakeKubeStore"/>),
/// watches, and helm's release Secrets (<see cref="HelmReleaseSecrets"/>). Every request is recorded.
///
/// What it copies, from kubernetes/kubernetes at v1.35:
/// - discovery: staging/src/k8s.io/client-go/discovery/discovery_client.go takes a plain application/json answer to
///   /api and /apis as the legacy (unaggregated) form and then reads each group version's resource list;
/// - validation: staging/src/k8s.io/kubectl/pkg/cmd/util/factory_client_access.go (Validator) and
///   staging/src/k8s.io/cli-runtime/pkg/resource/query_param_verifier_v3.go leave validation to the server when the
///   group version's OpenAPI v3 document has a PATCH operation for the kind with a fieldValidation query parameter:
///   that is all the documents here hold, so kubectl never validates client-side and needs no schemas;
/// - client-side apply: staging/src/k8s.io/kubectl/pkg/cmd/apply/patcher.go uses OpenAPI v3 for a strategic merge
///   patch only where the PATCH operation lists application/strategic-merge-patch+json, which these documents do not,
///   so it falls back to the compiled-in types (built-ins) or a JSON merge patch (custom resources);
/// - errors: Status objects as apimachinery's pkg/api/errors builds them, so kubectl prints
///   `Error from server (NotFound): configmaps "x" not found`.
/// </summary>
public sealed class FakeKubeApi : IAsyncDisposable
{
    public const string ServerVersion = "v1.35.0";

    LoopbackServer _server = null!;
    readonly CancellationTokenSource _stopping = new();
    readonly ConcurrentQueue<FakeKubeRequest> _requests = new();

    FakeKubeApi() { }

    public FakeKubeStore Store { get; } = new();

    /// <summary>The server's address, e.g. http://127.0.0.1:41234, for a kubeconfig.</summary>
    public string Url => _server.BaseUrl;

    /// <summary>Every request received, in order.</summary>
    public IReadOnlyList<FakeKubeRequest> Requests => _requests.ToList();

    /// <summary>Every request's path and query, in order (what the earlier Verification fake recorded).</summary>
    public IReadOnlyList<string> RequestPaths => _requests.Select(r => r.PathAndQuery).ToList();

    /// <summary>Fixed answers by path, taking precedence over the objects: for an answer the store cannot give.</summary>
    public ConcurrentDictionary<string, Func<string>> Responses { get; } = new();

    /// <summary>
    /// Container logs by "namespace/pod/container", the current container's and (key + "/previous") the one before a
    /// restart, served at pods/{name}/log as the kubelet does through the API server: plain text, tailLines honoured.
    /// </summary>
    public ConcurrentDictionary<string, string> PodLogs { get; } = new();

    /// <summary>A container's log as <see cref="PodLogs"/> holds it; previous: the container before its last restart.</summary>
    public void SeedPodLog(string ns, string pod, string container, string text, bool previous = false) =>
        PodLogs[$"{ns}/{pod}/{container}" + (previous ? "/previous" : "")] = text;

    /// <summary>
    /// What SelfSubjectAccessReview answers for "verb resource[.group]" (e.g. "create clusterroles.rbac.authorization.k8s.io"):
    /// allowed unless a test denies it. The API server answers a review without storing it
    /// (pkg/registry/authorization/selfsubjectaccessreview/rest.go), the spec echoed with its status; so does this.
    /// </summary>
    public Func<string, bool> Allows { get; set; } = _ => true;

    /// <summary>A wedged control plane: requests are accepted and recorded, never answered (until the test ends).</summary>
    public bool Hangs { get; set; }

    public static async Task<FakeKubeApi> StartAsync()
    {
        var api = new FakeKubeApi();
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
            api.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns }, ["status"] = new JsonObject { ["phase"] = "Active" } });
        api._server = await LoopbackServer.StartAsync(api.HandleAsync);
        return api;
    }

    /// <summary>A fixed answer at <paramref name="path"/>: the object serialized as KubernetesClient would.</summary>
    public void Set(string path, object body) => Responses[path] = () => k8s.KubernetesJson.Serialize(body);

    /// <summary>Creates or replaces an object of any type the server knows (by apiVersion and kind); returns it as stored.</summary>
    public JsonObject Seed(JsonObject obj)
    {
        var resource = Store.FindKind(obj["apiVersion"]!.GetValue<string>(), obj["kind"]!.GetValue<string>())
            ?? throw new ArgumentException($"the fake API has no {obj["apiVersion"]}/{obj["kind"]}: create its CRD first");
        var ns = resource.Namespaced ? obj["metadata"]?["namespace"]?.GetValue<string>() ?? "default" : null;
        return Store.TryReplace(resource, ns, obj, out var replaced) ? replaced
            : Store.TryCreate(resource, ns, obj, out var created) ? created : throw new InvalidOperationException("seed raced");
    }

    /// <summary>Creates or replaces an object given as JSON text.</summary>
    public JsonObject Seed(string json) => Seed(JsonNode.Parse(json)!.AsObject());

    public JsonObject? Find(string apiVersion, string kind, string? ns, string name) =>
        Store.FindKind(apiVersion, kind) is { } resource ? Store.Get(resource, resource.Namespaced ? ns ?? "default" : null, name) : null;

    /// <summary>A kind node, Ready or not (its Ready condition), as `kubectl get nodes -o json` and `kubectl wait` read it.</summary>
    public JsonObject SeedNode(string name, bool ready = true, string role = "control-plane") => Seed(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Node",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["labels"] = new JsonObject { ["kubernetes.io/hostname"] = name, [$"node-role.kubernetes.io/{role}"] = "" },
        },
        ["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "Ready",
                ["status"] = ready ? "True" : "False",
                ["reason"] = ready ? "KubeletReady" : "KubeletNotReady",
                ["message"] = ready ? "kubelet is posting ready status" : "container runtime network not ready",
                ["lastTransitionTime"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            }),
        },
    });

    /// <summary>One revision of a helm release, stored as helm stores it.</summary>
    public JsonObject SeedHelmRelease(FakeHelmRelease release) => Seed(HelmReleaseSecrets.Secret(release));

    /// <summary>Every helm release revision stored now (decoded from the Secrets), e.g. after a real uninstall or rollback.</summary>
    public IReadOnlyList<JsonObject> HelmReleases()
    {
        var secrets = Store.FindKind("v1", "Secret")!;
        return Store.List(secrets, null)
            .Where(s => s["type"]?.GetValue<string>() == HelmReleaseSecrets.SecretType && s["metadata"]?["labels"]?["owner"]?.GetValue<string>() == "helm")
            .Select(HelmReleaseSecrets.FromSecret).ToList();
    }

    async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var bytes = buffer.ToArray();
        // A protobuf body (helm's Secrets) is read into JSON; a protobuf DELETE's DeleteOptions are not needed.
        var protobuf = request.ContentType?.StartsWith(FakeKubeProtobuf.ContentType, StringComparison.Ordinal) == true && request.Method != "DELETE";
        var body = protobuf ? FakeKubeProtobuf.ReadSecret(bytes)?.ToJsonString(FakeKubeObjects.Json) : Encoding.UTF8.GetString(bytes);
        _requests.Enqueue(new FakeKubeRequest(request.Method, request.Path.Value ?? "/", request.QueryString.Value ?? "", body ?? "",
            request.Headers.Authorization.FirstOrDefault(), request.Headers.Accept.FirstOrDefault(), request.ContentType));
        if (protobuf && body is null)
        {
            var refused = FakeKubeObjects.StatusAnswer(415, "UnsupportedMediaType", "the fake API reads protobuf only for Secrets: send JSON");
            http.Response.StatusCode = refused.Status;
            await http.Response.WriteAsync(refused.Body);
            return;
        }
        if (Hangs)
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _stopping.Token);
            try { await Task.Delay(Timeout.Infinite, either.Token); } catch (OperationCanceledException) { }
            return;
        }
        http.Response.ContentType = "application/json";
        if (Responses.TryGetValue(request.Path.Value!, out var respond))
        {
            await http.Response.WriteAsync(respond());
            return;
        }
        var path = (request.Path.Value ?? "/").TrimEnd('/');
        if (request.Method == "POST" && path == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
        {
            var review = JsonNode.Parse(body!)!.AsObject();
            var attributes = review["spec"]?["resourceAttributes"];
            var group = attributes?["group"]?.GetValue<string>() ?? "";
            var asked = $"{attributes?["verb"]?.GetValue<string>()} {attributes?["resource"]?.GetValue<string>()}{(group.Length == 0 ? "" : "." + group)}";
            var allowed = Allows(asked);
            review["status"] = new JsonObject { ["allowed"] = allowed, ["reason"] = allowed ? "the fake API allows it" : "" };
            http.Response.StatusCode = 201;
            await http.Response.WriteAsync(review.ToJsonString(FakeKubeObjects.Json));
            return;
        }
        var answer = path switch
        {
            "/version" => Answer(200, Version()),
            "/api" => Answer(200, FakeKubeDiscovery.ApiVersions(Url)),
            "/apis" => Answer(200, FakeKubeDiscovery.GroupList(Store.Resources)),
            "/openapi/v3" => Answer(200, FakeKubeDiscovery.OpenApiV3Index(Store.Resources)),
            "/healthz" or "/livez" or "/readyz" => new FakeKubeAnswer(200, "ok", "text/plain"),
            _ when path.StartsWith("/openapi/v3/", StringComparison.Ordinal) =>
                FakeKubeDiscovery.OpenApiV3Document(Store.Resources, path["/openapi/v3/".Length..]) is { } doc ? Answer(200, doc) : NotFoundPath(),
            _ => null,
        };
        if (answer is null)
        {
            var route = FakeKubeRoute.Parse(path, Store);
            if (route is null) answer = NotFoundPath();
            else if (route.Resource is null)
                answer = route.GroupOnly
                    ? FakeKubeDiscovery.Group(Store.Resources, route.Group) is { } group ? Answer(200, group) : NotFoundPath()
                    : FakeKubeDiscovery.ResourceList(Store.Resources, route.Group, route.Version) is { } list ? Answer(200, list) : NotFoundPath();
            else if (request.Method == "GET" && route.Name is null && IsWatch(request.Query))
            {
                await WatchAsync(http, route);
                return;
            }
            else if (request.Method == "GET" && route.Resource.Plural == "pods" && route.Subresource == "log")
                answer = PodLog(route, request.Query);
            else answer = new FakeKubeObjects(Store).Handle(request.Method, route, request.Query, body!, protobuf ? "application/json" : request.ContentType ?? "", request.Headers.Accept.ToString());
        }
        http.Response.StatusCode = answer.Status;
        http.Response.ContentType = answer.ContentType;
        await http.Response.WriteAsync(answer.Body);
    }

    /// <summary>
    /// GET pods/{name}/log, as the API server answers it (pkg/registry/core/pod/rest/log.go and the kubelet's
    /// server.go): the container's text, its last tailLines lines; a pod that does not exist is NotFound; a
    /// previous container that never ran is a 400 whose message kubectl prints as is.
    /// </summary>
    FakeKubeAnswer PodLog(FakeKubeRoute route, IQueryCollection query)
    {
        var pod = Store.Get(route.Resource!, route.Namespace, route.Name!);
        if (pod is null) return FakeKubeObjects.StatusAnswer(404, "NotFound", $"pods \"{route.Name}\" not found", route.Resource, route.Name);
        var container = query["container"].FirstOrDefault()
            ?? pod["spec"]?["containers"]?[0]?["name"]?.GetValue<string>() ?? "";
        var previous = query["previous"].FirstOrDefault() is "true" or "1";
        var key = $"{route.Namespace}/{route.Name}/{container}" + (previous ? "/previous" : "");
        if (!PodLogs.TryGetValue(key, out var text))
            return previous
                ? FakeKubeObjects.StatusAnswer(400, "BadRequest", $"previous terminated container \"{container}\" in pod \"{route.Name}\" not found")
                : new FakeKubeAnswer(200, "", "text/plain");
        if (int.TryParse(query["tailLines"].FirstOrDefault(), out var tail) && tail >= 0)
        {
            var lines = text.TrimEnd('\n').Split('\n');
            text = string.Join('\n', lines.Skip(Math.Max(0, lines.Length - tail))) + (lines.Length > 0 ? "\n" : "");
        }
        return new FakeKubeAnswer(200, text, "text/plain");
    }

    static bool IsWatch(IQueryCollection query) => query["watch"].FirstOrDefault() is "true" or "1";

    /// <summary>
    /// A watch as the API server streams one (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/watch.go): one JSON
    /// event per line, flushed. From a resourceVersion it replays what changed since; without one (or with
    /// sendInitialEvents=true, client-go's WatchList) it first sends every current object as ADDED, and for
    /// sendInitialEvents a BOOKMARK annotated k8s.io/initial-events-end. Ends at timeoutSeconds or when the client goes.
    /// </summary>
    async Task WatchAsync(HttpContext http, FakeKubeRoute route)
    {
        var query = http.Request.Query;
        var labels = query["labelSelector"].FirstOrDefault();
        var fields = query["fieldSelector"].FirstOrDefault();
        var initialEvents = query["sendInitialEvents"].FirstOrDefault() == "true";
        var resourceVersion = query["resourceVersion"].FirstOrDefault();
        var seconds = int.TryParse(query["timeoutSeconds"].FirstOrDefault(), out var s) ? s : 1800;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _stopping.Token);
        bound.CancelAfter(TimeSpan.FromSeconds(seconds));

        bool Matches(JsonObject obj) =>
            (route.Namespace is null || obj["metadata"]?["namespace"]?.GetValue<string>() == route.Namespace) &&
            FakeKubeSelectors.MatchesLabels(obj, labels) && FakeKubeSelectors.MatchesFields(obj, fields);

        var replayFrom = long.TryParse(resourceVersion, out var rv) && rv > 0 && !initialEvents ? rv : (long?)null;
        var events = Store.Watch(route.Resource!, route.Namespace, replayFrom, out var snapshot, out var snapshotVersion, out var stop);
        try
        {
            http.Response.ContentType = "application/json";
            await http.Response.StartAsync(bound.Token);
            async Task SendAsync(string type, JsonObject obj)
            {
                await http.Response.WriteAsync(new JsonObject { ["type"] = type, ["object"] = obj }.ToJsonString(FakeKubeObjects.Json) + "\n", bound.Token);
                await http.Response.Body.FlushAsync(bound.Token);
            }
            foreach (var obj in snapshot.Where(Matches)) await SendAsync("ADDED", obj);
            if (initialEvents)
                await SendAsync("BOOKMARK", new JsonObject
                {
                    ["kind"] = route.Resource!.Kind,
                    ["apiVersion"] = route.Resource.ApiVersion,
                    ["metadata"] = new JsonObject
                    {
                        ["resourceVersion"] = snapshotVersion.ToString(CultureInfo.InvariantCulture),
                        ["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" },
                    },
                });
            await foreach (var change in events.ReadAllAsync(bound.Token))
            {
                if (change.Resource.Group != route.Resource!.Group || change.Resource.Plural != route.Resource.Plural) continue;
                var obj = (JsonObject)change.Object.DeepClone();
                obj["apiVersion"] = route.Resource.ApiVersion;
                if (Matches(obj)) await SendAsync(change.Type, obj);
            }
        }
        catch (OperationCanceledException) { }
        finally { stop(); }
    }

    JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = ServerVersion.Split('.')[1],
        ["gitVersion"] = ServerVersion,
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2025-12-17T00:00:00Z",
        ["goVersion"] = "go1.25.5",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    static FakeKubeAnswer Answer(int status, JsonNode body) => new(status, body.ToJsonString(FakeKubeObjects.Json));

    static FakeKubeAnswer NotFoundPath() => FakeKubeObjects.StatusAnswer(404, "NotFound", "the server could not find the requested resource");

    /// <summary>A loopback port nothing listens on (bound, read, released): an API server that is down.</summary>
    public static int ClosedPort() => LoopbackServer.FreePort();

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        await _server.DisposeAsync();
    }
}

/// <summary>An answer: status code, body, content type.</summary>
public sealed record FakeKubeAnswer(int Status, string Body, string ContentType = "application/json");

/// <summary>
/// A resource URL taken apart: /api/v1[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]] or the same under
/// /apis/{group}/{version}; /apis/{group} and the bare group-version paths are discovery (Resource null).
/// </summary>
public sealed record FakeKubeRoute(string Group, string Version, FakeKubeResource? Resource, string? Namespace, string? Name, string? Subresource, bool GroupOnly = false)
{
    public static FakeKubeRoute? Parse(string path, FakeKubeStore store)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group, version;
        string[] rest;
        if (parts.Length >= 2 && parts[0] == "api") { group = ""; version = parts[1]; rest = parts[2..]; }
        else if (parts.Length == 2 && parts[0] == "apis") return new FakeKubeRoute(parts[1], "", null, null, null, null, GroupOnly: true);
        else if (parts.Length >= 3 && parts[0] == "apis") { group = parts[1]; version = parts[2]; rest = parts[3..]; }
        else return null;
        if (rest.Length == 0) return new FakeKubeRoute(group, version, null, null, null, null);

        string? ns = null;
        if (rest.Length >= 3 && rest[0] == "namespaces" && store.Find(group, version, rest[2]) is { Namespaced: true })
        {
            ns = rest[1];
            rest = rest[2..];
        }
        var resource = store.Find(group, version, rest[0]);
        if (resource is null || rest.Length > 3) return null;
        return new FakeKubeRoute(group, version, resource, ns, rest.ElementAtOrDefault(1), rest.ElementAtOrDefault(2));
    }
}
