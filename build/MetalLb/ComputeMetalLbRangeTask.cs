using DataPlatform.Build.Frosting;
using Spectre.Console;

namespace DataPlatform.Build.MetalLb;

[TaskName("ComputeMetalLbRange")]
[TaskDescription("Computes METALLB_IP_RANGE: the last ten usable addresses of the docker 'kind' network's IPv4 subnet (a preset value wins).")]
internal sealed class ComputeMetalLbRangeTask : FrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context) => context.MetalLbAddresses = await ProduceAsync(context);

    async Task<MetalLbAddresses> ProduceAsync(BuildContext context)
    {
        var cluster = context.ClusterOutcomeOrExisting;
        var addresses = await DeploymentInputs.MetalLbRangeAsync(cluster, context.Docker, context.Variables, context.Cancellation);
        context.Console.MarkupLineInterpolated($"METALLB_IP_RANGE=[bold]{addresses.Range}[/] (from {addresses.Source})");
        return addresses;
    }
}
