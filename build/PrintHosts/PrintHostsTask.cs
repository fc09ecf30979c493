using DataPlatform.Build.Access;
using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.PrintHosts;

[TaskName("PrintHosts")]
[TaskDescription("Prints the /etc/hosts line(s) for what is deployed (LoadBalancer IPs, or 127.0.0.1 in published mode) and the URLs to open.")]
internal sealed class PrintHostsTask : FrostingTask<BuildContext>
{
    /// <summary>Under --plan on a machine without the cluster there is nothing to read yet.</summary>
    public override bool ShouldRun(BuildContext context) => context.ClusterOutcomeOrExisting.IsReachable;

    public override async Task RunAsync(BuildContext context)
    {
        context.Kubeconfig.Read().Require(context.Target.Context);
        // An existing cluster with a real domain, or a cloud load balancer's host name: DNS records, not hosts lines.
        if (await ExistingCluster.DnsRecords.PrintIfWantedAsync(context, context.Variables.Require("GLOBAL_DOMAIN"))) return;
        var access = await AccessService.CurrentAsync(context);
        await new PrintHostsService(context.Cluster, context.KindConfig.Name, context.Variables.Require("GLOBAL_DOMAIN"), context.Console)
            {
                Address = access.Address,
                HostPort = access.HostPort,
                AccessNote = access.Published ? $"published access mode ({access.Decision.Reason}): every name points at 127.0.0.1, the access proxy's ports" : null,
            }
            .RunAsync(context.Options.HostsFile, context.Cancellation);
    }
}
