using DataPlatform.Build.Frosting;
using k8s;

namespace DataPlatform.Build.Kube;

/// <summary>
/// A Kubernetes client for the platform's context and nothing else: the context is always named explicitly,
/// so the kubeconfig's current-context is never used, not even for reads. Every request has its own timeout,
/// so an API server that accepts connections but never answers is reported, not waited on for ever.
/// </summary>
internal sealed record PlatformCluster(string Context, string Server, IKubernetes Client, TimeSpan RequestTimeout)
{
    /// <summary>Long enough for a busy kind control plane to list every pod; short enough to say "not answering" quickly.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The context as the merged kubeconfig (KUBECONFIG list, or ~/.kube/config) defines it, like kubectl.</summary>
    public static PlatformCluster Connect(MergedKubeconfig kubeconfig, string context, TimeSpan? requestTimeout = null)
    {
        kubeconfig.Require(context);
        var timeout = requestTimeout ?? DefaultRequestTimeout;
        try
        {
            var config = kubeconfig.ClientConfiguration(context);
            config.HttpClientTimeout = timeout;
            return new PlatformCluster(context, config.Host, new k8s.Kubernetes(config), timeout);
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or System.Security.Cryptography.CryptographicException
                                       or FormatException or IOException or UnauthorizedAccessException)
        {
            // A kubeconfig entry we cannot use is the user's to fix; say which one, where it is, and how to rewrite it.
            throw new BuildFailure($"the kubeconfig entry for context {context} (in {kubeconfig.FileOf(context)}) cannot be used ({e.Message.Split('\n')[0]}). " +
                "Rewrite it with ./build.sh --target=CreateCluster (it runs kind export kubeconfig when the cluster exists).", e);
        }
    }

    /// <summary>One kubeconfig file, read as if KUBECONFIG named it alone (tests and tools that point at a file).</summary>
    public static PlatformCluster Connect(string context, string kubeconfigPath, TimeSpan? requestTimeout = null) =>
        Connect(new KubeconfigReader(name => name == "KUBECONFIG" ? kubeconfigPath : null).Read(), context, requestTimeout);
}
