using DataPlatform.Build.Frosting;
using DataPlatform.Build.Verification;

namespace DataPlatform.Build.Tasks;

[TaskName("PrintHosts")]
[TaskDescription("Prints the /etc/hosts line(s) for what is deployed, grouped by LoadBalancer IP.")]
public sealed class PrintHostsTask : FrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        context.RequirePlatformContext();
        await new PrintHostsService(context.Cluster, context.KindConfig.Name, context.Variables.Require("GLOBAL_DOMAIN"), context.Console)
            .RunAsync(context.Options.HostsFile, context.Cancellation);
    }
}
