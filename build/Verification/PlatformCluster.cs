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
        try
        {
            var config = kubeconfigPath is null
                ? KubernetesClientConfiguration.BuildConfigFromConfigObject(
                    KubernetesClientConfiguration.LoadKubeConfig() ?? throw new k8s.Exceptions.KubeConfigException("the kubeconfig is empty"), currentContext: context)
                : KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath, currentContext: context);
            return new PlatformCluster(context, config.Host, new Kubernetes(config));
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or System.Security.Cryptography.CryptographicException
                                       or FormatException or IOException or YamlDotNet.Core.YamlException)
        {
            // A kubeconfig entry we cannot use is the user's to fix; say which one and how to rewrite it.
            throw new BuildFailure($"the kubeconfig entry for context {context} cannot be used ({e.Message.Split('\n')[0]}). " +
                "Rewrite it with ./build.sh --target=CreateCluster (it runs kind export kubeconfig when the cluster exists).", e);
        }
    }
}
