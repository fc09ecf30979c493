using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace DataPlatform.Build.Tests.Infrastructure;

/// <summary>One change, as a watch streams it: ADDED, MODIFIED or DELETED, with the object after (or before deletion).</summary>
public sealed record FakeKubeEvent(long ResourceVersion, string Type, FakeKubeResource Resource, JsonObject Object);

/// <summary>
/// The fake API server's objects: one map per group/resource, one resourceVersion counter for all of them (as etcd's
/// revision), and the log of changes that watches replay. The resource types start as <see cref="FakeKubeResource.BuiltIn"/>;
/// creating a CustomResourceDefinition adds its served versions, deleting it takes them away, as the apiextensions
/// server does. Thread-safe: requests arrive in parallel.
/// </summary>
public sealed class FakeKubeStore
{
    readonly object _gate = new();
    readonly List<FakeKubeResource> _resources = [.. FakeKubeResource.BuiltIn];
    // (group, plural) -> (namespace or "", name) -> object
    readonly Dictionary<(string Group, string Plural), SortedDictionary<(string Namespace, string Name), JsonObject>> _objects = [];
    readonly List<FakeKubeEvent> _log = [];
    readonly List<Channel<FakeKubeEvent>> _watchers = [];
    long _revision = 1000;

    public long ResourceVersion { get { lock (_gate) return _revision; } }

    public IReadOnlyList<FakeKubeResource> Resources { get { lock (_gate) return _resources.ToList(); } }

    public FakeKubeResource? Find(string group, string version, string plural)
    {
        lock (_gate) return _resources.FirstOrDefault(r => r.Group == group && r.Version == version && r.Plural == plural);
    }

    /// <summary>The resource of an object's apiVersion and kind, or null when the server has no such type.</summary>
    public FakeKubeResource? FindKind(string apiVersion, string kind)
    {
        lock (_gate) return _resources.FirstOrDefault(r => r.ApiVersion == apiVersion && r.Kind == kind);
    }

    public JsonObject? Get(FakeKubeResource resource, string? ns, string name)
    {
        lock (_gate)
            return Table(resource).TryGetValue((ns ?? "", name), out var found) ? Versioned(found, resource) : null;
    }

    /// <summary>Every object of the resource (in <paramref name="ns"/> only, when given), in name order.</summary>
    public IReadOnlyList<JsonObject> List(FakeKubeResource resource, string? ns)
    {
        lock (_gate)
            return Table(resource).Where(e => ns is null || e.Key.Namespace == ns).Select(e => Versioned(e.Value, resource)).ToList();
    }

    /// <summary>Stores a new object: uid, creationTimestamp, generation and a fresh resourceVersion are set. False if it exists.</summary>
    public bool TryCreate(FakeKubeResource resource, string? ns, JsonObject obj, out JsonObject stored)
    {
        lock (_gate)
        {
            var name = obj["metadata"]?["name"]?.GetValue<string>() ?? throw new ArgumentException("an object without metadata.name");
            if (Table(resource).ContainsKey((ns ?? "", name))) { stored = null!; return false; }
            var metadata = Metadata(obj);
            if (ns is not null) metadata["namespace"] = ns;
            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            metadata["generation"] = 1;
            stored = Commit(resource, ns, obj, "ADDED");
            return true;
        }
    }

    /// <summary>Replaces an existing object, keeping what the server owns (uid, creationTimestamp). False if it is gone.</summary>
    public bool TryReplace(FakeKubeResource resource, string? ns, JsonObject obj, out JsonObject stored)
    {
        lock (_gate)
        {
            var name = obj["metadata"]?["name"]?.GetValue<string>() ?? throw new ArgumentException("an object without metadata.name");
            if (!Table(resource).TryGetValue((ns ?? "", name), out var current)) { stored = null!; return false; }
            var metadata = Metadata(obj);
            if (ns is not null) metadata["namespace"] = ns;
            foreach (var kept in new[] { "uid", "creationTimestamp" })
                metadata[kept] = current["metadata"]?[kept]?.DeepClone();
            var generation = current["metadata"]?["generation"] is JsonValue g && long.TryParse(g.ToString(), out var n) ? n : 1;
            var specChanged = !JsonNode.DeepEquals(current["spec"], obj["spec"]);
            metadata["generation"] = specChanged ? generation + 1 : generation;
            stored = Commit(resource, ns, obj, "MODIFIED");
            return true;
        }
    }

    public JsonObject? Delete(FakeKubeResource resource, string? ns, string name)
    {
        lock (_gate)
        {
            if (!Table(resource).Remove((ns ?? "", name), out var gone)) return null;
            var rv = ++_revision;
            Metadata(gone)["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
            Publish(new FakeKubeEvent(rv, "DELETED", resource, gone));
            if (resource.Plural == "customresourcedefinitions") _resources.RemoveAll(r => CrdResources(gone).Contains(r));
            return Versioned(gone, resource);
        }
    }

    /// <summary>
    /// A watch's events: with <paramref name="replayFrom"/>, those after that resourceVersion (from the log) and no
    /// snapshot; without, a snapshot of the resource's objects now (and its resourceVersion) and no replay. Then each new
    /// change as it happens, until <paramref name="stop"/> is called. Snapshot and subscription are taken together.
    /// </summary>
    public ChannelReader<FakeKubeEvent> Watch(FakeKubeResource resource, string? ns, long? replayFrom,
        out IReadOnlyList<JsonObject> snapshot, out long snapshotVersion, out Action stop)
    {
        var channel = Channel.CreateUnbounded<FakeKubeEvent>();
        lock (_gate)
        {
            snapshotVersion = _revision;
            snapshot = replayFrom is null ? List(resource, ns) : [];
            if (replayFrom is { } since)
                foreach (var e in _log.Where(e => e.ResourceVersion > since)) channel.Writer.TryWrite(e);
            _watchers.Add(channel);
        }
        stop = () => { lock (_gate) _watchers.Remove(channel); channel.Writer.TryComplete(); };
        return channel.Reader;
    }

    JsonObject Commit(FakeKubeResource resource, string? ns, JsonObject obj, string type)
    {
        var rv = ++_revision;
        var metadata = Metadata(obj);
        metadata["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
        obj["apiVersion"] = resource.ApiVersion;
        obj["kind"] = resource.Kind;
        if (resource.Plural == "customresourcedefinitions") Establish(obj);
        var name = metadata["name"]!.GetValue<string>();
        Table(resource)[(ns ?? "", name)] = obj;
        Publish(new FakeKubeEvent(rv, type, resource, (JsonObject)obj.DeepClone()));
        return Versioned(obj, resource);
    }

    void Publish(FakeKubeEvent e)
    {
        _log.Add(e);
        foreach (var watcher in _watchers) watcher.Writer.TryWrite(e);
    }

    /// <summary>
    /// What the apiextensions server does once a CRD's names are free: Established and NamesAccepted become True, and its
    /// served versions appear in discovery (k8s.io/apiextensions-apiserver/pkg/controller/establish).
    /// </summary>
    void Establish(JsonObject crd)
    {
        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        crd["status"] = new JsonObject
        {
            ["acceptedNames"] = crd["spec"]?["names"]?.DeepClone(),
            ["conditions"] = new JsonArray(
                new JsonObject { ["type"] = "NamesAccepted", ["status"] = "True", ["reason"] = "NoConflicts", ["message"] = "no conflicts found", ["lastTransitionTime"] = now },
                new JsonObject { ["type"] = "Established", ["status"] = "True", ["reason"] = "InitialNamesAccepted", ["message"] = "the initial names have been accepted", ["lastTransitionTime"] = now }),
            ["storedVersions"] = new JsonArray((crd["spec"]?["versions"] as JsonArray ?? []).Where(v => v?["storage"]?.GetValue<bool>() == true)
                .Select(v => (JsonNode?)JsonValue.Create(v!["name"]!.GetValue<string>())).ToArray()),
        };
        foreach (var added in CrdResources(crd).Where(r => !_resources.Contains(r))) _resources.Add(added);
    }

    static IReadOnlyList<FakeKubeResource> CrdResources(JsonObject crd)
    {
        var spec = crd["spec"];
        var group = spec?["group"]?.GetValue<string>();
        var plural = spec?["names"]?["plural"]?.GetValue<string>();
        var kind = spec?["names"]?["kind"]?.GetValue<string>();
        if (group is null || plural is null || kind is null) return [];
        var namespaced = spec?["scope"]?.GetValue<string>() != "Cluster";
        var shortNames = (spec?["names"]?["shortNames"] as JsonArray ?? []).Select(s => s!.GetValue<string>()).ToArray();
        return (spec?["versions"] as JsonArray ?? []).Where(v => v?["served"]?.GetValue<bool>() != false)
            .Select(v => new FakeKubeResource(group, v!["name"]!.GetValue<string>(), plural, kind, namespaced, shortNames)).ToList();
    }

    SortedDictionary<(string Namespace, string Name), JsonObject> Table(FakeKubeResource resource)
    {
        if (!_objects.TryGetValue((resource.Group, resource.Plural), out var table))
            _objects[(resource.Group, resource.Plural)] = table = [];
        return table;
    }

    /// <summary>A copy of the stored object at the version asked for (a CRD's objects are served at each served version).</summary>
    static JsonObject Versioned(JsonObject stored, FakeKubeResource resource)
    {
        var copy = (JsonObject)stored.DeepClone();
        copy["apiVersion"] = resource.ApiVersion;
        return copy;
    }

    static JsonObject Metadata(JsonObject obj) =>
        obj["metadata"] as JsonObject ?? (JsonObject)(obj["metadata"] = new JsonObject());
}
