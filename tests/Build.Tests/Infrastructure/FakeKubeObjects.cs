using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DataPlatform.Build.Tests.Infrastructure;

/// <summary>
/// The object verbs of the fake API: get, list (label and field selectors, as a Table when asked), create, update,
/// patch (JSON merge, strategic merge read as a merge, server-side apply as create-or-merge with managedFields) and
/// delete, with errors as the API server words them (k8s.io/apimachinery/pkg/api/errors/errors.go).
/// </summary>
internal sealed class FakeKubeObjects(FakeKubeStore store)
{
    /// <summary>JSON as Go's encoding/json writes it for these bodies: quotes as \", not System.Text.Json's \u0022.</summary>
    public static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public FakeKubeAnswer Handle(string method, FakeKubeRoute route, IQueryCollection query, string body, string contentType, string accept)
    {
        var resource = route.Resource!;
        var dryRun = query["dryRun"].Count > 0;
        switch (method)
        {
            case "GET" when route.Name is null:
                var items = store.List(resource, route.Namespace)
                    .Where(o => FakeKubeSelectors.MatchesLabels(o, query["labelSelector"].FirstOrDefault())
                             && FakeKubeSelectors.MatchesFields(o, query["fieldSelector"].FirstOrDefault())).ToList();
                if (WantsTable(accept)) return Ok(Table(items));
                return Ok(new JsonObject
                {
                    ["kind"] = resource.Kind + "List",
                    ["apiVersion"] = resource.ApiVersion,
                    ["metadata"] = new JsonObject { ["resourceVersion"] = store.ResourceVersion.ToString(CultureInfo.InvariantCulture) },
                    ["items"] = new JsonArray(items.Select(i => (JsonNode?)i).ToArray()),
                });

            case "GET":
                var found = store.Get(resource, route.Namespace, route.Name);
                if (found is null) return NotFound(resource, route.Name);
                return Ok(WantsTable(accept) ? Table([found]) : found);

            case "POST" when route.Name is null:
                if (Parse(body) is not { } created) return BadRequest("the request body is not a JSON object");
                if (dryRun) return Ok(created, 201);
                var createName = created["metadata"]?["name"]?.GetValue<string>();
                if (createName is null) return StatusAnswer(422, "Invalid", $"{resource.Kind} \"\" is invalid: metadata.name: Required value: name or generateName is required");
                return store.TryCreate(resource, resource.Namespaced ? route.Namespace : null, created, out var stored)
                    ? Ok(stored, 201)
                    : StatusAnswer(409, "AlreadyExists", $"{Qualified(resource)} \"{createName}\" already exists", resource, createName);

            case "PUT" when route.Name is not null:
                if (Parse(body) is not { } replacement) return BadRequest("the request body is not a JSON object");
                var current = store.Get(resource, route.Namespace, route.Name);
                if (current is null) return NotFound(resource, route.Name);
                if (replacement["metadata"]?["resourceVersion"]?.GetValue<string>() is { } sent && sent != current["metadata"]?["resourceVersion"]?.GetValue<string>())
                    return StatusAnswer(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(resource)} \"{route.Name}\": the object has been modified; please apply your changes to the latest version and try again", resource, route.Name);
                if (route.Subresource == "status") { current["status"] = replacement["status"]?.DeepClone(); replacement = current; }
                if (dryRun) return Ok(replacement);
                store.TryReplace(resource, route.Namespace, replacement, out var updated);
                return Ok(updated);

            case "PATCH" when route.Name is not null:
                return Patch(resource, route, query, body, contentType, dryRun);

            case "DELETE" when route.Name is not null:
                if (dryRun) return store.Get(resource, route.Namespace, route.Name) is { } kept ? Ok(kept) : NotFound(resource, route.Name);
                return store.Delete(resource, route.Namespace, route.Name) is { } gone ? Ok(gone) : NotFound(resource, route.Name);

            default:
                return StatusAnswer(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource");
        }
    }

    FakeKubeAnswer Patch(FakeKubeResource resource, FakeKubeRoute route, IQueryCollection query, string body, string contentType, bool dryRun)
    {
        if (Parse(body) is not { } patch) return BadRequest("the patch is not a JSON object");
        var current = store.Get(resource, route.Namespace, route.Name!);
        var type = contentType.Split(';')[0].Trim();
        switch (type)
        {
            case "application/merge-patch+json" or "application/strategic-merge-patch+json":
                if (current is null) return NotFound(resource, route.Name!);
                FakeKubeSelectors.MergePatch(current, patch);
                if (dryRun) return Ok(current);
                store.TryReplace(resource, route.Namespace, current, out var patched);
                return Ok(patched);

            case "application/apply-patch+yaml" or "application/apply-patch+cbor":
                // Server-side apply, simplified: the applied configuration merged over what is there (or created), and the
                // field manager recorded in managedFields. Field ownership and conflicts are not modelled.
                var manager = query["fieldManager"].FirstOrDefault() ?? "unknown";
                var applied = current ?? new JsonObject();
                FakeKubeSelectors.MergePatch(applied, patch);
                var metadata = applied["metadata"] as JsonObject ?? (JsonObject)(applied["metadata"] = new JsonObject());
                metadata["name"] = route.Name;
                var managers = (metadata["managedFields"] as JsonArray)?.Where(m => m?["manager"]?.GetValue<string>() != manager || m?["operation"]?.GetValue<string>() != "Apply")
                    .Select(m => m!.DeepClone()).ToList() ?? [];
                managers.Add(new JsonObject
                {
                    ["manager"] = manager,
                    ["operation"] = "Apply",
                    ["apiVersion"] = resource.ApiVersion,
                    ["time"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                    ["fieldsType"] = "FieldsV1",
                    ["fieldsV1"] = new JsonObject(),
                });
                metadata["managedFields"] = new JsonArray(managers.ToArray());
                if (dryRun) return Ok(applied, current is null ? 201 : 200);
                if (current is null)
                {
                    store.TryCreate(resource, resource.Namespaced ? route.Namespace : null, applied, out var created);
                    return Ok(created, 201);
                }
                store.TryReplace(resource, route.Namespace, applied, out var replaced);
                return Ok(replaced);

            default:
                return StatusAnswer(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (the fake API has no {type})");
        }
    }

    /// <summary>kubectl's human-readable get asks for a meta.k8s.io Table; given one with Name and Created At, it prints it.</summary>
    static bool WantsTable(string accept) => accept.Contains("as=Table", StringComparison.Ordinal);

    JsonObject Table(IReadOnlyList<JsonObject> items) => new()
    {
        ["kind"] = "Table",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = new JsonObject { ["resourceVersion"] = store.ResourceVersion.ToString(CultureInfo.InvariantCulture) },
        ["columnDefinitions"] = new JsonArray(
            new JsonObject { ["name"] = "Name", ["type"] = "string", ["format"] = "name", ["description"] = "Name of the object", ["priority"] = 0 },
            new JsonObject { ["name"] = "Created At", ["type"] = "date", ["format"] = "", ["description"] = "When the object was created", ["priority"] = 0 }),
        ["rows"] = new JsonArray(items.Select(i => (JsonNode?)new JsonObject
        {
            ["cells"] = new JsonArray(i["metadata"]?["name"]?.DeepClone(), i["metadata"]?["creationTimestamp"]?.DeepClone()),
            ["object"] = new JsonObject { ["kind"] = "PartialObjectMetadata", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = i["metadata"]?.DeepClone() },
        }).ToArray()),
    };

    /// <summary>A JSON body; YAML is not expected (kubectl, helm and KubernetesClient send JSON even for apply-patch+yaml).</summary>
    static JsonObject? Parse(string body)
    {
        try { return JsonNode.Parse(body) as JsonObject; }
        catch (JsonException) { return null; }
    }

    static string Qualified(FakeKubeResource r) => r.Group.Length == 0 ? r.Plural : $"{r.Plural}.{r.Group}";

    static FakeKubeAnswer Ok(JsonObject body, int status = 200) => new(status, body.ToJsonString(FakeKubeObjects.Json));

    static FakeKubeAnswer BadRequest(string message) => StatusAnswer(400, "BadRequest", message);

    static FakeKubeAnswer NotFound(FakeKubeResource resource, string name) =>
        StatusAnswer(404, "NotFound", $"{Qualified(resource)} \"{name}\" not found", resource, name);

    /// <summary>A meta/v1 Status failure, as apimachinery's errors.New* build them.</summary>
    public static FakeKubeAnswer StatusAnswer(int code, string reason, string message, FakeKubeResource? resource = null, string? name = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        };
        if (resource is not null)
            status["details"] = new JsonObject { ["name"] = name, ["group"] = resource.Group, ["kind"] = resource.Plural };
        return new FakeKubeAnswer(code, status.ToJsonString(FakeKubeObjects.Json));
    }
}
