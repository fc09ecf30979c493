using DataPlatform.Build.Frosting;
using DataPlatform.Build.Services;
using DataPlatform.Build.Verification;

namespace DataPlatform.Build.Tasks;

[TaskName("PrintHosts")]
[TaskDescription("Prints the /etc/hosts line(s) for what is deployed, grouped by LoadBalancer IP.")]
internal sealed class PrintHostsTask : FrostingTask<BuildContext>
{
    /// <summary>Under --plan on a machine without the cluster there is nothing to read yet.</summary>
    public override bool ShouldRun(BuildContext context) => (context.Results.Find<ClusterOutcome>() ?? ClusterOutcome.Existing).IsReachable;

    public override async Task RunAsync(BuildContext context)
    {
        context.Kubeconfig.Read().Require(context.KindConfig.ContextName);
        await new PrintHostsService(context.Cluster, context.KindConfig.Name, context.Variables.Require("GLOBAL_DOMAIN"), context.Console)
            .RunAsync(context.Options.HostsFile, context.Cancellation);
    }
}
