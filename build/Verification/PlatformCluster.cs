using k8s;

namespace DataPlatform.Build.Verification;

/// <summary>
/// A Kubernetes client for the platform's context and nothing else: the context is always named explicitly,
/// so the kubeconfig's current-context is never used, not even for reads.
/// </summary>
public sealed record PlatformCluster(string Context, string Server, IKubernetes Client)
{
    /// <summary>Reads KUBECONFIG (or ~/.kube/config) like kubectl, or the given file.</summary>
    public static PlatformCluster Connect(string context, string? kubeconfigPath = null)
    {
        var config = kubeconfigPath is null
            ? KubernetesClientConfiguration.BuildConfigFromConfigObject(KubernetesClientConfiguration.LoadKubeConfig(), currentContext: context)
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath, currentContext: context);
        return new PlatformCluster(context, config.Host, new Kubernetes(config));
    }
}
