using System.Text.Json;

namespace DataPlatform.Build.Host;

/// <summary>
/// The fields of `docker info --format '{{json .}}'` the Doctor reads, from one call that returns the whole object.
/// Docker Engine and Docker Desktop answer with the Engine API's /info shape; Podman's docker-compatible CLI answers
/// with podman's own shape (host, store, version), which is how Podman is told apart.
/// </summary>
internal sealed record DockerInfo
{
    public string ServerVersion { get; init; } = "";
    public string OperatingSystem { get; init; } = "";
    public string Name { get; init; } = "";
    public string KernelVersion { get; init; } = "";
    public string CgroupDriver { get; init; } = "";
    /// <summary>"1" or "2" (Podman's "v2" is normalised); empty when the engine does not say (Docker before 20.10).</summary>
    public string CgroupVersion { get; init; } = "";
    public long? MemTotal { get; init; }
    public int? Cpus { get; init; }
    public string DockerRootDir { get; init; } = "";
    public IReadOnlyList<string> SecurityOptions { get; init; } = [];
    public IReadOnlyList<string> ServerErrors { get; init; } = [];
    public bool IsPodman { get; init; }
    /// <summary>Rootless: `name=rootless` in Docker's SecurityOptions, host.security.rootless in Podman's.</summary>
    public bool Rootless { get; init; }

    /// <summary>Parses the JSON; null when it is not a JSON object (an old CLI, or a wrapper that prints something else).</summary>
    public static DockerInfo? Parse(string json)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(json); }
        catch (JsonException) { return null; }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            return root.TryGetProperty("host", out var host) && host.ValueKind == JsonValueKind.Object
                ? FromPodman(root, host)
                : FromDocker(root);
        }
    }

    static DockerInfo FromDocker(JsonElement root)
    {
        var security = Strings(root, "SecurityOptions");
        return new DockerInfo
        {
            ServerVersion = String(root, "ServerVersion"),
            OperatingSystem = String(root, "OperatingSystem"),
            Name = String(root, "Name"),
            KernelVersion = String(root, "KernelVersion"),
            CgroupDriver = String(root, "CgroupDriver"),
            CgroupVersion = String(root, "CgroupVersion"),
            MemTotal = Number(root, "MemTotal"),
            Cpus = (int?)Number(root, "NCPU"),
            DockerRootDir = String(root, "DockerRootDir"),
            SecurityOptions = security,
            ServerErrors = Strings(root, "ServerErrors"),
            Rootless = security.Any(option => option.Split(',').Contains("name=rootless")),
        };
    }

    static DockerInfo FromPodman(JsonElement root, JsonElement host)
    {
        var version = root.TryGetProperty("version", out var v) ? String(v, "Version") : "";
        var rootless = host.TryGetProperty("security", out var security) && security.ValueKind == JsonValueKind.Object
            && security.TryGetProperty("rootless", out var flag) && flag.ValueKind == JsonValueKind.True;
        var distribution = host.TryGetProperty("distribution", out var d) ? $"{String(d, "distribution")} {String(d, "version")}".Trim() : "";
        return new DockerInfo
        {
            IsPodman = true,
            ServerVersion = version,
            OperatingSystem = distribution,
            Name = String(host, "hostname"),
            KernelVersion = String(host, "kernel"),
            CgroupDriver = String(host, "cgroupManager"),
            CgroupVersion = String(host, "cgroupVersion").TrimStart('v'),
            MemTotal = Number(host, "memTotal"),
            Cpus = (int?)Number(host, "cpus"),
            DockerRootDir = root.TryGetProperty("store", out var store) ? String(store, "graphRoot") : "",
            Rootless = rootless,
        };
    }

    static string String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() ?? "" : "";

    static long? Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            && value.TryGetInt64(out var number) ? number : null;

    static IReadOnlyList<string> Strings(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];
}
