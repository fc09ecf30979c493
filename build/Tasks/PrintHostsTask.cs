using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.Tasks;

[TaskName("PrintHosts")]
[TaskDescription("Prints the /etc/hosts line(s) for what is deployed, grouped by LoadBalancer IP.")]
public sealed class PrintHostsTask : FrostingTask<BuildContext>
{
    public override Task RunAsync(BuildContext context)
    {
        context.RequirePlatformContext();
        return Task.CompletedTask;
    }
}
