using DataPlatform.Build.Frosting;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Platform;
using System.Text.Json;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tools;
using k8s;
using k8s.Models;
using Spectre.Console;

namespace DataPlatform.Build.ExistingCluster;

/// <summary>
/// The platform's mark on what it creates in an existing cluster: helmfile.yaml's ownership label (<see cref="OwnershipLabel"/>).
/// A namespace without it was not created by the platform, so nothing in it is ever changed or deleted.
/// </summary>
internal static class Ownership
{
    public static bool Owns(this OwnershipLabel label, IMetadata<V1ObjectMeta> obj) => label.Marks(obj.Metadata?.Labels);
}

/// <summary>
/// On an existing cluster the build creates the releases' namespaces itself, labelled, before helmfile (whose
/// createNamespace cannot label them); Clean later deletes exactly the labelled ones. A namespace already there without
/// the label belongs to someone else, and the build stops before changing anything in it.
/// </summary>
internal sealed class OwnedNamespaces(Func<PlatformCluster> cluster, OwnershipLabel ownership, Kubectl kubectl, IToolRunner runner, string artifacts, IAnsiConsole console)
{
    public async Task<IReadOnlyList<V1Namespace>> ListAsync(CancellationToken ct) =>
        (await ClusterReader.AskAsync(cluster(), (k, t) => k.CoreV1.ListNamespaceAsync(cancellationToken: t), ct)).Items.ToList();

    /// <summary>The namespaces of <paramref name="wanted"/> that exist without the platform's label: the releases would change someone else's.</summary>
    public static IReadOnlyList<string> Foreign(IEnumerable<string> wanted, IReadOnlyList<V1Namespace> existing, OwnershipLabel ownership) =>
        wanted.Where(n => existing.Any(e => e.Name() == n && !ownership.Owns(e))).ToList();

    public async Task EnsureAsync(IReadOnlyList<string> wanted, CancellationToken ct)
    {
        var existing = await ListAsync(ct);
        if (Foreign(wanted, existing, ownership) is { Count: > 0 } foreign)
            throw new BuildFailure(
                $"namespace{(foreign.Count == 1 ? "" : "s")} {string.Join(", ", foreign)} already exist{(foreign.Count == 1 ? "s" : "")} in {cluster().Context} without the label " +
                $"{ownership.Selector}: the platform did not create {(foreign.Count == 1 ? "it" : "them")}, and never changes what it did not create. Nothing was changed." + Environment.NewLine +
                "  fix: remove what is installed there (another cert-manager or Traefik, say: see ./build.sh --target=Doctor), or use another cluster; " +
                $"only if it really is this platform's, left from an earlier install: kubectl --context {cluster().Context} label namespace <name> {ownership.Selector}");
        var missing = wanted.Where(n => existing.All(e => e.Name() != n)).ToList();
        if (missing.Count == 0) return;
        Directory.CreateDirectory(artifacts);
        var path = Path.Combine(artifacts, "platform-namespaces.json");
        var list = new
        {
            apiVersion = "v1",
            kind = "List",
            items = missing.Select(n => new { apiVersion = "v1", kind = "Namespace", metadata = new { name = n, labels = new Dictionary<string, string> { [OwnershipLabel.Key] = ownership.Value } } }),
        };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(list, new JsonSerializerOptions { WriteIndented = true }), ct);
        console.MarkupLineInterpolated($"Creating the platform's namespaces, labelled {ownership.Selector}: {string.Join(", ", missing)}");
        await runner.RunAsync(kubectl.ApplyFileCommand(path), ct);
    }
}
