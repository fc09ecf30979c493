using DataPlatform.Build.Platform;
using DataPlatform.Build.Tools;
using k8s;
using Spectre.Console;

namespace DataPlatform.Build.Services;

public enum ClusterAction { Create, RestoreContext, None }

/// <summary>Observe → decide → act for the kind cluster; the decision is a pure function so it is tested without processes.</summary>
public sealed class ClusterService(Kind kind, Kubectl kubectl, KindConfig config, IAnsiConsole console)
{
    public static ClusterAction Decide(bool clusterExists, bool contextExists) =>
        !clusterExists ? ClusterAction.Create : contextExists ? ClusterAction.None : ClusterAction.RestoreContext;

    public async Task<ClusterAction> EnsureAsync(bool planning, CancellationToken ct)
    {
        var exists = (await kind.GetClustersAsync(ct)).Contains(config.Name);
        var action = Decide(exists, KubeContexts.Exists(config.ContextName));
        switch (action)
        {
            case ClusterAction.Create:
                await kind.CreateClusterAsync(config.Path, ct);
                break;
            case ClusterAction.RestoreContext:
                console.MarkupLineInterpolated($"Cluster [bold]{config.Name}[/] exists but context {config.ContextName} is missing from your kubeconfig: restoring it.");
                await kind.ExportKubeconfigAsync(config.Name, ct);
                break;
            default:
                console.MarkupLineInterpolated($"Cluster [bold]{config.Name}[/] already exists: leaving it as it is.");
                break;
        }
        if (!planning) await kubectl.WaitForNodesReadyAsync(Kind.NodesReadyTimeout, ct);
        return action;
    }

    /// <summary>Deletes the platform's cluster and nothing else; nothing to delete is a success.</summary>
    public async Task CleanAsync(CancellationToken ct)
    {
        if (!(await kind.GetClustersAsync(ct)).Contains(config.Name))
        {
            console.MarkupLineInterpolated($"No kind cluster named [bold]{config.Name}[/]: nothing to remove.");
            return;
        }
        await kind.DeleteClusterAsync(config.Name, ct);
    }
}

/// <summary>Reads the kubeconfig (KUBECONFIG or ~/.kube/config) through KubernetesClient, without touching the current context.</summary>
public static class KubeContexts
{
    public static bool Exists(string name)
    {
        try
        {
            var config = KubernetesClientConfiguration.LoadKubeConfig();
            // An empty kubeconfig file loads as null.
            return config?.Contexts?.Any(c => c.Name == name) == true;
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    public static void Require(string name)
    {
        if (!Exists(name))
            throw new BuildFailure($"kube context {name} is not in your kubeconfig, and the build never falls back to your current context. " +
                "Run ./build.sh --target=CreateCluster (it creates the cluster, or restores its context if the cluster exists).");
    }
}
