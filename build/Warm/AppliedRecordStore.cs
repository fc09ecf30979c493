using System.Text.Json;
using System.Text.Json.Nodes;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Warm;

/// <summary>
/// Keeps the record of the last successful `helmfile apply` in the cluster itself, as a ConfigMap (as ctlptl records
/// the spec it applied): a new cluster starts without one, and Clean takes it away with the cluster.
/// Read and written with kubectl, pinned to the platform's context; the write is a mutating call, so --plan prints it.
/// </summary>
internal sealed class AppliedRecordStore(IToolRunner runner, Kubectl kubectl, string manifestDirectory)
{
    public const string Namespace = "kube-system";
    public const string Name = "data-platform-applied";

    /// <summary>The record, or null when there is none (or it cannot be read or understood, which an apply fixes).</summary>
    public async Task<(AppliedRecord? Record, string? Problem)> ReadAsync(CancellationToken ct)
    {
        var result = await runner.RunAsync(kubectl.GetConfigMapCommand(Namespace, Name), ct);
        if (!result.Succeeded)
            return (null, result.StandardError.Contains("NotFound") ? null : $"kubectl could not read ConfigMap {Namespace}/{Name}: {FirstLine(result.StandardError)}");
        try
        {
            var data = JsonNode.Parse(result.StandardOutput)?["data"];
            var fingerprint = data?["fingerprint"]?.GetValue<string>();
            var appliedAt = data?["applied-at"]?.GetValue<string>();
            var inputs = data?["inputs"]?.GetValue<string>();
            if (fingerprint is null || inputs is null || !DateTimeOffset.TryParse(appliedAt, out var at))
                return (null, $"ConfigMap {Namespace}/{Name} lacks fingerprint, applied-at or inputs");
            return (new AppliedRecord(at, fingerprint, AppliedInputs.FromLines(inputs)), null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return (null, $"ConfigMap {Namespace}/{Name} is not what the build writes ({e.Message})");
        }
    }

    /// <summary>Writes the manifest under .artifacts/ (atomically) and applies it.</summary>
    public async Task WriteAsync(AppliedInputs inputs, DateTimeOffset appliedAt, CancellationToken ct)
    {
        Directory.CreateDirectory(manifestDirectory);
        var path = Path.Combine(manifestDirectory, Name + ".json");
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, Manifest(inputs, appliedAt), ct);
        File.Move(temporary, path, overwrite: true);
        await runner.RunAsync(kubectl.ApplyFileCommand(path), ct);
    }

    public static string Manifest(AppliedInputs inputs, DateTimeOffset appliedAt) => new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject
        {
            ["name"] = Name,
            ["namespace"] = Namespace,
            ["labels"] = new JsonObject { ["app.kubernetes.io/managed-by"] = "data-platform-build" },
        },
        ["data"] = new JsonObject
        {
            ["fingerprint"] = inputs.Fingerprint,
            ["applied-at"] = appliedAt.UtcDateTime.ToString("O"),
            ["inputs"] = inputs.ToLines(),
        },
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "(no message)";
}
