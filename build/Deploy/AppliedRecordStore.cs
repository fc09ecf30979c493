using System.Text.Json;
using System.Text.Json.Nodes;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Deploy;

/// <summary>
/// Keeps the record of the last successful `helmfile apply` in the cluster itself, as a ConfigMap (as ctlptl records
/// the spec it applied): a new cluster starts without one, and Clean takes it away with the cluster.
/// Read in process (<see cref="IClusterReads"/>, no process on a warm Up) and written with kubectl, both pinned to the
/// platform's context; the write is a mutating call, so --plan prints it.
/// </summary>
internal sealed class AppliedRecordStore(IToolRunner runner, Kubectl kubectl, IClusterReads cluster, string manifestDirectory)
{
    public const string Namespace = "kube-system";
    public const string Name = "data-platform-applied";

    /// <summary>The record, or null when there is none (or it cannot be read or understood, which an apply fixes).</summary>
    public async Task<(AppliedRecord? Record, string? Problem)> ReadAsync(CancellationToken ct)
    {
        var read = await cluster.ConfigMapAsync(Namespace, Name, ct);
        if (!read.Succeeded) return (null, $"ConfigMap {Namespace}/{Name} could not be read: {read.Problem}");
        if (read.Value is not { } configMap) return (null, null);
        string? Get(string key) => configMap.Data.GetValueOrDefault(key);
        var fingerprint = Get("fingerprint");
        var inputs = Get("inputs");
        if (fingerprint is null || inputs is null || !DateTimeOffset.TryParse(Get("applied-at"), out var at))
            return (null, $"ConfigMap {Namespace}/{Name} lacks fingerprint, applied-at or inputs");
        return (new AppliedRecord(at, fingerprint, AppliedInputs.FromLines(inputs)), null);
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

}
