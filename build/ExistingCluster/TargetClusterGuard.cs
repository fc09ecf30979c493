using DataPlatform.Build.Frosting;
using DataPlatform.Build.Kube;
using k8s;
using Spectre.Console;

namespace DataPlatform.Build.ExistingCluster;

/// <summary>
/// The refusals that come before any change when PLATFORM_CONTEXT names an existing cluster: the committed .env may not
/// choose it, the context must be in the kubeconfig, a kind-* context must be this clone's own, the API must answer, and
/// a run that deploys may not use the demo credentials of .env. Mistakes exit 2; an API that does not answer exits 1.
/// </summary>
internal static class TargetClusterGuard
{
    /// <summary>An API server answers /version in milliseconds; one that has not in this long is down or unreachable.</summary>
    public static readonly TimeSpan ApiWait = TimeSpan.FromSeconds(10);

    public static async Task CheckAsync(BuildContext context, IReadOnlyList<string> tasks)
    {
        // Whatever the target: .env is committed, shared by every clone, so it never points a clone at a real cluster.
        if (TargetCluster.Entry(context.Root, TargetCluster.CommittedFile) is { } committed)
            throw new ConfigurationRefusal(
                $"{TargetCluster.CommittedFile}:{committed.Line}: {TargetCluster.Variable} may not be set in the committed {TargetCluster.CommittedFile}: " +
                $"every clone would then target that cluster. Move the line to {TargetCluster.LocalFile} (git-ignored), or export {TargetCluster.Variable} for one run.");
        var target = context.Target;
        if (!target.IsExisting) return;

        var kubeconfig = context.Kubeconfig.Read();
        if (!kubeconfig.HasContext(target.Context))
        {
            var present = kubeconfig.ContextNames.ToList();
            throw new ConfigurationRefusal(
                $"{TargetCluster.Variable} names the context {target.Context} ({target.ChosenIn}), which is not in your kubeconfig ({kubeconfig.Describe()}). " +
                (present.Count == 0 ? "It defines no context at all." : $"Contexts present: {string.Join(", ", present)}.") +
                " Fix the name, or point KUBECONFIG at the file that defines it. Nothing was changed.");
        }
        if (target.Context.StartsWith("kind-", StringComparison.Ordinal))
            throw new ConfigurationRefusal(
                $"{TargetCluster.Variable}={target.Context} ({target.ChosenIn}) is a kind cluster's context, but this clone's kind-config.yaml names the cluster " +
                $"'{context.KindConfig.Name}' ({context.KindConfig.ContextName}). Another clone's kind cluster is that clone's to manage: unset {TargetCluster.Variable} " +
                $"to use this clone's own kind cluster, or run ./build.sh from the clone that owns {target.Context}. Nothing was changed.");

        await RequireAnsweringAsync(context, target, kubeconfig);

        if (tasks.Contains("HelmfileApply")) DemoCredentials.Refuse(context.Variables, target);
    }

    /// <summary>GET /version, bounded: a context whose server is down, unreachable or refuses us stops the run before any change.</summary>
    static async Task RequireAnsweringAsync(BuildContext context, TargetCluster target, MergedKubeconfig kubeconfig)
    {
        var cluster = PlatformCluster.Connect(kubeconfig, target.Context, ApiWait);
        string? problem;
        try
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
            bound.CancelAfter(ApiWait);
            var version = await cluster.Client.Version.GetCodeAsync(bound.Token);
            context.Console.MarkupLineInterpolated($"Target: {target.Describe()}, API {cluster.Server}, Kubernetes {version.GitVersion}.");
            return;
        }
        catch (Exception e) when (!context.Cancellation.IsCancellationRequested && e is OperationCanceledException)
        {
            problem = $"did not answer within {ApiWait.TotalSeconds:0} s";
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            problem = $"answered {(int)e.Response.StatusCode} {e.Response.ReasonPhrase}" +
                      (e.Response.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden
                          ? ": the credentials of this context were refused (an expired token or cloud login?)" : "");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or System.Text.Json.JsonException)
        {
            problem = $"could not be reached: {e.Message.Split('\n')[0]}";
        }
        throw new BuildFailure(
            $"The Kubernetes API of {target.Context} at {cluster.Server} {problem}. Nothing was changed." + Environment.NewLine +
            $"  check: `kubectl --context {target.Context} get --raw /version` answers from this machine (VPN, firewall, a cloud login " +
            $"such as `aws eks update-kubeconfig` or `gcloud container clusters get-credentials` that refreshes the token), then run the same command again.");
    }
}
