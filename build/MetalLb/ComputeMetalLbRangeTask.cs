using DataPlatform.Build.Frosting;
using Spectre.Console;

namespace DataPlatform.Build.MetalLb;

[TaskName("ComputeMetalLbRange")]
[TaskDescription("Computes METALLB_IP_RANGE: the last ten usable addresses of the docker 'kind' network's IPv4 subnet (a preset value wins).")]
internal sealed class ComputeMetalLbRangeTask : FrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) =>
        ExistingCluster.KindOnlyStep.IsKind(context) || ExistingCluster.MetalLbChoice.Installs(context.Target, context.Variables) ||
        ExistingCluster.KindOnlyStep.Runs(context, "ComputeMetalLbRange", "METALLB_IP_RANGE is unset, so MetalLB's releases are left out and the cluster's own LoadBalancer provider gives the addresses");

    public override async Task RunAsync(BuildContext context) => context.MetalLbAddresses = await ProduceAsync(context);

    async Task<MetalLbAddresses> ProduceAsync(BuildContext context)
    {
        var cluster = context.ClusterOutcomeOrExisting;
        var addresses = context.Target.IsExisting
            ? ExistingCluster.MetalLbChoice.Preset(context.Variables)
            : await DeploymentInputs.MetalLbRangeAsync(cluster, context.Docker, context.Variables, context.Cancellation);
        context.Console.MarkupLineInterpolated($"METALLB_IP_RANGE=[bold]{addresses.Range}[/] (from {addresses.Source})");
        return addresses;
    }
}
