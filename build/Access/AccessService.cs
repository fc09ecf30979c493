using DataPlatform.Build.Doctor;
using DataPlatform.Build.Host;
using DataPlatform.Build.Kube;
using k8s;
using Spectre.Console;

namespace DataPlatform.Build.Access;

/// <summary>
/// The published access mode's steps: publish the LoadBalancers on 127.0.0.1 (Up), say how the platform is reached
/// (Verify, PrintHosts), remove the proxy (Clean). The mode is the Doctor's decision; the forwards come from the
/// cluster's LoadBalancer services.
/// </summary>
internal static class AccessService
{
    /// <summary>MetalLB gives a new LoadBalancer its address within seconds; longer means MetalLB is not running.</summary>
    static readonly TimeSpan AddressWait = TimeSpan.FromMinutes(2);
    static readonly TimeSpan AddressPoll = TimeSpan.FromSeconds(3);

    /// <summary>Up's step after helmfile apply: in published mode the proxy is created or updated; in direct mode a stale one is removed.</summary>
    public static async Task<PublishedAccess> PublishAsync(BuildContext context)
    {
        var decision = await DoctorService.AccessModeAsync(context);
        var proxy = new PortProxyService(context.Docker, context.KindConfig.Name, context.Console);
        if (decision.Mode == AccessMode.Direct)
        {
            await proxy.RemoveAllAsync("the access mode is direct, so the LoadBalancer addresses answer from this host themselves", context.Cancellation);
            context.Console.MarkupLineInterpolated($"Access mode {decision.Name}: nothing to publish ({decision.Reason}).");
            return new PublishedAccess(decision, []);
        }
        context.Console.MarkupLineInterpolated($"Access mode {decision.Name} ({decision.Reason}): publishing the LoadBalancers on 127.0.0.1 through {proxy.Name}.");
        context.Kubeconfig.Read().Require(context.Target.Context);
        var plan = await PlanAsync(context, waitForAddresses: true);
        await proxy.EnsureAsync(plan, context.Cancellation);
        return new PublishedAccess(decision, plan.Forwards);
    }

    /// <summary>How this run reaches the platform: what PublishPorts returned, or (Verify, PrintHosts alone) the same worked out afresh.</summary>
    public static async Task<PublishedAccess> CurrentAsync(BuildContext context)
    {
        if (context.PublishedAccess is { } published) return published;
        var decision = await DoctorService.AccessModeAsync(context);
        if (decision.Mode == AccessMode.Direct) return new PublishedAccess(decision, []);
        return new PublishedAccess(decision, (await PlanAsync(context, waitForAddresses: false)).Forwards);
    }

    /// <summary>Clean: the proxy goes with the cluster, whatever the access mode is now (it may have changed since Up).</summary>
    public static async Task RemoveAsync(BuildContext context)
    {
        var proxy = new PortProxyService(context.Docker, context.KindConfig.Name, context.Console);
        if (!await proxy.RemoveAllAsync("Clean removes what Up created", context.Cancellation))
            context.Console.MarkupLineInterpolated($"No access proxy {proxy.Name}: nothing to remove there.");
    }

    static async Task<ProxyPlan> PlanAsync(BuildContext context, bool waitForAddresses)
    {
        var ports = PublishedPorts.From(context.Variables);
        var deadline = DateTime.UtcNow + AddressWait;
        while (true)
        {
            var services = await ClusterReader.AskAsync(context.Cluster,
                (k, token) => k.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: token), context.Cancellation);
            var plan = ProxyPlan.From(services.Items, ports);
            var pending = services.Items.Count(s => s.Spec?.Type == "LoadBalancer" && LoadBalancer.Ip(s) is null);
            if (!waitForAddresses || pending == 0 || DateTime.UtcNow >= deadline) return plan;
            context.Console.MarkupLineInterpolated($"Waiting for {pending} LoadBalancer service(s) to get an address from MetalLB (up to {AddressWait.TotalSeconds:0} s)...");
            await Task.Delay(AddressPoll, context.Cancellation);
        }
    }
}
