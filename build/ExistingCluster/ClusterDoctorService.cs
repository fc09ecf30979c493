using DataPlatform.Build.Frosting;
using DataPlatform.Build.Kube;
using DataPlatform.Build.MetalLb;
using DataPlatform.Build.Doctor;
using DataPlatform.Build.Host;
using DataPlatform.Build.Toolchain;
using k8s;
using k8s.Models;
using Spectre.Console;

namespace DataPlatform.Build.ExistingCluster;

/// <summary>
/// Doctor on an existing cluster (PLATFORM_CONTEXT): this machine's Docker does not matter; the cluster is asked, read-only
/// and in process (KubernetesClient, pinned to the context), whether Up can land there. Failures stop Up before any change.
/// </summary>
internal static class ClusterDoctorService
{
    public static async Task RunAsync(BuildContext context)
    {
        var facts = await ReadAsync(context);
        var checks = ClusterFindings.Examine(facts);
        context.Console.MarkupLineInterpolated($"Doctor: {context.Target.Describe()}; this machine's Docker is not used.");
        context.Console.Write(DoctorService.Table(new DoctorReport(checks, null, null)));
        var failures = checks.Where(c => c.Status == CheckStatus.Failure).ToList();
        if (failures.Count > 0)
            throw new BuildFailure($"Doctor: {failures.Count} check(s) of {context.Target.Context} failed, so the build stops before changing anything:{Environment.NewLine}" +
                string.Join(Environment.NewLine, failures.Select(f => $"  - {f.Name}: {f.Detail}{Environment.NewLine}    fix: {f.Fix}")) +
                $"{Environment.NewLine}Then run the same command again (./build.sh --target=Doctor re-checks without doing anything else).");
    }

    static async Task<ClusterFacts> ReadAsync(BuildContext context)
    {
        var cluster = context.Cluster;
        var ct = context.Cancellation;
        Task<T> Ask<T>(Func<IKubernetes, CancellationToken, Task<T>> call) => ClusterReader.AskAsync(cluster, call, ct);
        var permissions = new List<Permission>();
        foreach (var (verb, group, resource) in ClusterFindings.NeededPermissions)
        {
            var review = await Ask((k, t) => k.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(new V1SelfSubjectAccessReview
            {
                Spec = new V1SelfSubjectAccessReviewSpec { ResourceAttributes = new V1ResourceAttributes { Verb = verb, Group = group, Resource = resource } },
            }, cancellationToken: t));
            permissions.Add(new Permission(verb, group, resource, review.Status?.Allowed == true, review.Status?.Reason));
        }
        var variables = context.Variables;
        return new ClusterFacts
        {
            Context = context.Target.Context,
            Server = await Ask((k, t) => k.Version.GetCodeAsync(t)),
            KubectlPin = ToolPins.Load(Path.Combine(context.Root, ToolPins.FileName)).Kubectl.Version,
            Permissions = permissions,
            StorageClasses = (await Ask((k, t) => k.StorageV1.ListStorageClassAsync(cancellationToken: t))).Items.ToList(),
            Services = (await Ask((k, t) => k.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: t))).Items.ToList(),
            Nodes = (await Ask((k, t) => k.CoreV1.ListNodeAsync(cancellationToken: t))).Items.ToList(),
            IngressClasses = (await Ask((k, t) => k.NetworkingV1.ListIngressClassAsync(cancellationToken: t))).Items.ToList(),
            Crds = (await Ask((k, t) => k.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: t))).Items.ToList(),
            Namespaces = (await Ask((k, t) => k.CoreV1.ListNamespaceAsync(cancellationToken: t))).Items.ToList(),
            Ownership = context.HelmfileSpec.Ownership,
            ForeignReleases = await OwnedReleases.Of(context).ForeignAsync(context.HelmfileSpec.Releases, ct),
            PlatformNamespaces = context.HelmfileSpec.Namespaces,
            MetalLbRange = variables.Find(MetalLbService.Variable) is { Length: > 0 } range ? range.Trim() : null,
            GatewayVersion = context.GatewayApi.Version,
            GatewayChannel = context.GatewayApi.Channel,
        };
    }
}
