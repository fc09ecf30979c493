using System.Text.Json;
using DataPlatform.Build.Kube;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tools;
using k8s.Models;

namespace DataPlatform.Build.Verify;

/// <summary>The checks that only read Kubernetes objects: pure functions of one <see cref="ClusterState"/>.</summary>
internal static class ClusterChecks
{
    /// <summary>Every DaemonSet, Deployment and StatefulSet of these namespaces is fully ready, or says why not.</summary>
    public static IEnumerable<CheckResult> Workloads(ClusterState state, IReadOnlyCollection<string> namespaces)
    {
        foreach (var workload in state.Workloads.Where(w => namespaces.Contains(w.Namespace))
                     .OrderBy(w => w.Namespace).ThenBy(w => w.Kind).ThenBy(w => w.Name))
        {
            var name = $"{workload.Kind} {workload.Namespace}/{workload.Name}";
            if (workload.IsReady)
            {
                yield return CheckResult.Pass(Categories.Workloads, name, $"{workload.Ready}/{workload.Desired} ready");
                continue;
            }
            var pods = state.Pods.Where(p => p.Namespace() == workload.Namespace && Selects(workload.MatchLabels, p)).ToList();
            var reasons = pods.SelectMany(p => PodProblems(state, p)).Distinct().ToList();
            if (reasons.Count == 0)
                reasons.Add(pods.Count == 0
                    ? "no pods yet (kubectl describe shows the controller's events)"
                    : "pods are starting: " + string.Join(", ", pods.Select(p => $"{p.Name()} {p.Status?.Phase}")));
            yield return CheckResult.Fail(Categories.Workloads, name, $"{workload.Ready}/{workload.Desired} ready; " + string.Join(Environment.NewLine, reasons));
        }
    }

    static bool Selects(IReadOnlyDictionary<string, string> wanted, V1Pod pod) =>
        wanted.Count > 0 && wanted.All(kv => pod.Metadata.Labels?.TryGetValue(kv.Key, out var value) == true && value == kv.Value);

    /// <summary>The reasons Kubernetes gives for a pod not being ready, in the words a person searches for.</summary>
    public static IEnumerable<string> PodProblems(ClusterState state, V1Pod pod)
    {
        var statuses = (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []);
        foreach (var status in statuses)
        {
            var waiting = status.State?.Waiting;
            switch (waiting?.Reason)
            {
                case null or "" or "PodInitializing" or "ContainerCreating":
                    break;
                case "ImagePullBackOff" or "ErrImagePull" or "InvalidImageName" or "ErrImageNeverPull":
                    yield return $"pod {pod.Name()}: {waiting.Reason} for image {status.Image}: {waiting.Message}".TrimEnd(' ', ':');
                    break;
                case "CrashLoopBackOff":
                    var logs = state.CrashLogs.GetValueOrDefault(ClusterState.CrashLogKey(pod, status.Name));
                    yield return $"pod {pod.Name()}: container {status.Name} in CrashLoopBackOff ({status.RestartCount} restarts)" +
                        (string.IsNullOrWhiteSpace(logs) ? "" : $"; last log lines:{Environment.NewLine}{Indent(logs)}");
                    break;
                default:
                    yield return $"pod {pod.Name()}: container {status.Name} {waiting.Reason}: {waiting.Message}".TrimEnd(' ', ':');
                    break;
            }
        }
        if (pod.Status?.Phase != "Pending") yield break;
        foreach (var claim in (pod.Spec?.Volumes ?? []).Select(v => v.PersistentVolumeClaim?.ClaimName).OfType<string>())
        {
            var pvc = state.Claims.FirstOrDefault(c => c.Namespace() == pod.Namespace() && c.Name() == claim);
            if (pvc is null) yield return $"pod {pod.Name()}: PersistentVolumeClaim {claim} does not exist";
            else if (pvc.Status?.Phase == "Pending") yield return $"pod {pod.Name()}: PersistentVolumeClaim {claim} is Pending (no volume bound: is the local-path provisioner running?)";
        }
        if (pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False") is { } unscheduled)
            yield return $"pod {pod.Name()}: not scheduled: {unscheduled.Reason}: {unscheduled.Message}";
    }

    static string Indent(string text) => string.Join(Environment.NewLine, text.Split('\n').Select(line => "    | " + line.TrimEnd('\r')));

    /// <summary>Every LoadBalancer service has an address, inside the MetalLB range (first-last or CIDR, as MetalLB reads it).</summary>
    public static IEnumerable<CheckResult> LoadBalancers(ClusterState state, string metalLbRange)
    {
        if (metalLbRange.Length == 0)
        {
            // No MetalLB (an existing cluster's own provider): an address or a cloud load balancer's host name is enough.
            foreach (var service in state.Services.Where(s => s.Spec?.Type == "LoadBalancer").OrderBy(s => s.Namespace()).ThenBy(s => s.Name()))
                yield return LoadBalancer.Address(service) is { } address
                    ? CheckResult.Pass(Categories.Platform, $"loadbalancer {service.Namespace()}/{service.Name()}", address)
                    : CheckResult.Fail(Categories.Platform, $"loadbalancer {service.Namespace()}/{service.Name()}",
                        "no external address yet: does the cluster have a LoadBalancer provider (a cloud load balancer, k3s ServiceLB), or set METALLB_IP_RANGE to install MetalLB");
            yield break;
        }
        var parsed = AddressRange.TryParse(metalLbRange, out var range, out var problem);
        foreach (var service in state.Services.Where(s => s.Spec?.Type == "LoadBalancer").OrderBy(s => s.Namespace()).ThenBy(s => s.Name()))
        {
            var name = $"loadbalancer {service.Namespace()}/{service.Name()}";
            var ip = LoadBalancer.Ip(service);
            if (ip is null)
                yield return CheckResult.Fail(Categories.Platform, name, $"no external address yet (MetalLB assigns one from {metalLbRange}: is the IPAddressPool applied and the MetalLB controller ready?)");
            else if (!parsed)
                yield return CheckResult.Fail(Categories.Platform, name, $"address {ip} cannot be checked: the MetalLB range '{metalLbRange}' {problem}");
            else if (!range.Contains(ip))
                yield return CheckResult.Fail(Categories.Platform, name, $"address {ip} is outside the MetalLB range {metalLbRange}");
            else
                yield return CheckResult.Pass(Categories.Platform, name, ip);
        }
    }

    /// <summary>Every cert-manager Certificate is Ready.</summary>
    public static IEnumerable<CheckResult> Certificates(ClusterState state)
    {
        if (state.Certificates is null)
        {
            yield return CheckResult.Fail(Categories.Platform, "certificates", "the cert-manager.io/v1 Certificate API is missing: cert-manager's CRDs are not installed");
            yield break;
        }
        foreach (var certificate in state.Certificates.OrderBy(c => c.Id()))
            yield return Ready(certificate, "certificate", "Ready");
    }

    /// <summary>Every trust-manager Bundle has written its ConfigMap (with its key).</summary>
    public static IEnumerable<CheckResult> TrustBundles(ClusterState state)
    {
        if (state.Bundles is not { Count: > 0 } bundles)
        {
            yield return CheckResult.Fail(Categories.Platform, "trust bundle", state.Bundles is null
                ? "the trust.cert-manager.io/v1alpha1 Bundle API is missing: trust-manager is not installed"
                : "no trust-manager Bundle exists");
            yield break;
        }
        foreach (var bundle in bundles)
        {
            var name = bundle.Str("metadata", "name") ?? "?";
            var key = bundle.Str("spec", "target", "configMap", "key");
            var check = $"trust bundle configmap {name}";
            if (key is null) { yield return CheckResult.Fail(Categories.Platform, check, "the Bundle has no spec.target.configMap.key"); continue; }
            var map = state.BundleConfigMaps.GetValueOrDefault(name);
            if (map is null) yield return CheckResult.Fail(Categories.Platform, check, $"no ConfigMap {name} in any namespace yet{Because(bundle.Condition("Synced"))}");
            else if (map.Data?.Get(key) is not { Length: > 0 }) yield return CheckResult.Fail(Categories.Platform, check, $"ConfigMap {map.Namespace()}/{name} has no key {key}");
            else yield return CheckResult.Pass(Categories.Platform, check, $"key {key} present");
        }
    }

    /// <summary>Every Gateway is Programmed (and there is one).</summary>
    public static IEnumerable<CheckResult> Gateways(ClusterState state)
    {
        if (state.Gateways is not { Count: > 0 } gateways)
        {
            yield return CheckResult.Fail(Categories.Platform, "gateway", state.Gateways is null
                ? "the gateway.networking.k8s.io/v1 Gateway API is missing: apply the Gateway API CRDs (./build.sh --target=ApplyGatewayCrds)"
                : "no Gateway exists (the traefik release creates the default one)");
            yield break;
        }
        foreach (var gateway in gateways.OrderBy(g => g.Id()))
            yield return Ready(gateway, "gateway", "Programmed");
    }

    static CheckResult Ready(JsonElement resource, string kind, string condition)
    {
        var name = $"{kind} {resource.Id()}";
        return resource.Condition(condition) switch
        {
            ("True", _) => CheckResult.Pass(Categories.Platform, name, condition),
            var c => CheckResult.Fail(Categories.Platform, name, $"not {condition}{Because(c)}"),
        };
    }

    static string Because((string Status, string Why)? condition) => condition switch
    {
        null => " (no status reported yet)",
        var (status, why) => $" ({status}{(why.Length > 0 ? ": " + why : "")})",
    };

    /// <summary>
    /// Every release helmfile.yaml declares, and every other helm release in the cluster, is deployed in its
    /// latest revision, as `helm list --all-namespaces --all` reports them (helm reads its own storage driver).
    /// </summary>
    public static IEnumerable<CheckResult> HelmReleases(IReadOnlyList<HelmReleaseStatus> listed, IEnumerable<Release> declared, string context)
    {
        var latest = listed.GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.MaxBy(r => int.TryParse(r.Revision, out var v) ? v : 0)!);

        // Only the platform's own releases: someone else's release in the same cluster, failed or not, is not ours to judge.
        foreach (var id in declared.Select(r => r.Id).Distinct().OrderBy(id => id, StringComparer.Ordinal))
        {
            var name = $"helm release {id}";
            if (!latest.TryGetValue(id, out var release))
            {
                yield return CheckResult.Fail(Categories.Platform, name, "not installed (helmfile.yaml declares it): run ./build.sh --target=HelmfileApply");
                continue;
            }
            var status = string.IsNullOrEmpty(release.Status) ? "unknown" : release.Status;
            var revision = string.IsNullOrEmpty(release.Revision) ? "?" : release.Revision;
            yield return status == "deployed"
                ? CheckResult.Pass(Categories.Platform, name, $"revision {revision} deployed")
                : CheckResult.Fail(Categories.Platform, name, $"revision {revision} is {status} (helm --kube-context {context} -n {release.Namespace} history {release.Name} tells why)");
        }
    }
}
