using System.Net;
using System.Text.Json;
using DataPlatform.Build.Frosting;
using k8s.Autorest;

namespace DataPlatform.Build.Kube;

/// <summary>
/// A Kubernetes client for the platform's context and nothing else: the context is always named explicitly,
/// so the kubeconfig's current-context is never used, not even for reads. Every request has its own timeout,
/// so an API server that accepts connections but never answers is reported, not waited on for ever.
/// </summary>
internal sealed record PlatformCluster(string Context, string Server, k8s.Kubernetes Client, TimeSpan RequestTimeout)
{
    /// <summary>
    /// One GET of an API path ("api/v1/nodes", relative to the server, as the client joins them), its body as JSON, over
    /// the client's own connection and credentials, as KubernetesClient's SendRequestRaw sends (src/KubernetesClient/
    /// Kubernetes.cs). The hot reads of every run take this way instead of the typed calls: deserializing a V1 model
    /// costs a fresh process 50 to 200 ms per type (reflection over the model's graph, JIT of the library's generic code,
    /// which is not precompiled), far more than the request, for the few fields the build reads. A status other than
    /// 2xx throws the HttpOperationException the typed calls throw, so every caller handles both alike.
    /// </summary>
    public async Task<JsonDocument> GetJsonAsync(string path, CancellationToken ct)
    {
        // The client's HttpClient has no timeout of its own (watches would need none); its typed calls cancel each
        // request after HttpClientTimeout, and so does this one, body included.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Client.BaseUri, path)) { Version = HttpVersion.Version20 };
        request.Headers.Accept.ParseAdd("application/json");
        if (Client.Credentials is { } credentials) await credentials.ProcessHttpRequestAsync(request, timeout.Token);
        using var response = await Client.HttpClient.SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            var content = await response.Content.ReadAsStringAsync(timeout.Token);
            throw new HttpOperationException($"Operation returned an invalid status code '{response.StatusCode}'")
            {
                Request = new HttpRequestMessageWrapper(request, null),
                Response = new HttpResponseMessageWrapper(response, content),
            };
        }
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        return await JsonDocument.ParseAsync(body, cancellationToken: timeout.Token);
    }

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
