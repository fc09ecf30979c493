using DataPlatform.Build.Frosting;
using DataPlatform.Build.Services;
using Spectre.Console;

namespace DataPlatform.Build.Tasks;

[TaskName("ComputeMetalLbRange")]
[TaskDescription("Computes METALLB_IP_RANGE: the last ten usable addresses of the docker 'kind' network's IPv4 subnet (a preset value wins).")]
[IsDependentOn(typeof(CreateClusterTask))]
internal sealed class ComputeMetalLbRangeTask : FrostingTask<BuildContext, MetalLbAddresses>
{
    public override bool ShouldRun(BuildContext context) =>
        ExistingCluster.KindOnlyStep.IsKind(context) || ExistingCluster.MetalLbChoice.Installs(context.Target, context.Variables) ||
        ExistingCluster.KindOnlyStep.Runs(context, "ComputeMetalLbRange", "METALLB_IP_RANGE is unset, so MetalLB's releases are left out and the cluster's own LoadBalancer provider gives the addresses");

    public override async Task<MetalLbAddresses> ProduceAsync(BuildContext context)
    {
        var cluster = context.Results.Find<ClusterOutcome>() ?? ClusterOutcome.Existing;
        var addresses = context.Target.IsExisting
            ? ExistingCluster.MetalLbChoice.Preset(context.Variables)
            : await DeploymentInputs.MetalLbRangeAsync(cluster, context.Docker, context.Variables, context.Cancellation);
        context.Console.MarkupLineInterpolated($"METALLB_IP_RANGE=[bold]{addresses.Range}[/] (from {addresses.Source})");
        return addresses;
    }
}
