using System.Text.Json;
using System.Text.Json.Serialization;
using DataPlatform.Build.Process;

namespace DataPlatform.Build.Tools;

/// <summary>helm, always with --kube-context.</summary>
internal sealed class Helm(IToolRunner runner, string context)
{
    public ToolCommand Command(params string[] arguments) => new("helm", ["--kube-context", context, .. arguments]);

    /// <summary>
    /// Every release in every namespace, whatever its status, in its latest revision. helm reads its own storage
    /// (HELM_DRIVER: secret, configmap, sql or memory), so this is right whichever driver the user chose.
    /// </summary>
    public ToolCommand ListReleasesCommand() => Command("list", "--all-namespaces", "--all", "--output", "json");

    public async Task<IReadOnlyList<HelmReleaseStatus>> ListReleasesAsync(CancellationToken ct) =>
        HelmReleaseStatus.ParseList((await runner.RunAsync(ListReleasesCommand(), ct)).StandardOutput);
}

/// <summary>One row of `helm list --output json`: name, namespace, revision (a string), updated, status, chart, app_version.</summary>
internal sealed record HelmReleaseStatus(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("namespace")] string Namespace,
    [property: JsonPropertyName("revision")] string? Revision,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("chart")] string? Chart)
{
    public string Id => $"{Namespace}/{Name}";

    /// <summary>The rows of helm's JSON list; empty output is read as no releases.</summary>
    public static IReadOnlyList<HelmReleaseStatus> ParseList(string json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            return JsonSerializer.Deserialize<List<HelmReleaseStatus>>(json)?.Where(r => r.Name is not null && r.Namespace is not null).ToList() ?? [];
        }
        catch (JsonException e)
        {
            throw new FormatException($"helm list --output json printed something that is not its JSON list ({e.Message}): " +
                (json.Length > 200 ? json[..200] + "..." : json));
        }
    }
}
