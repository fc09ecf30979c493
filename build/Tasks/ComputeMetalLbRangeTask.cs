using DataPlatform.Build.Frosting;
using Spectre.Console;

namespace DataPlatform.Build.Tasks;

[TaskName("ComputeMetalLbRange")]
[TaskDescription("Computes METALLB_IP_RANGE: the last ten usable addresses of the docker 'kind' network's IPv4 subnet (a preset value wins).")]
[IsDependentOn(typeof(CreateClusterTask))]
public sealed class ComputeMetalLbRangeTask : FrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var (range, source) = await context.MetalLbRangeAsync();
        context.Console.MarkupLineInterpolated($"METALLB_IP_RANGE=[bold]{range}[/] (from {source})");
    }
}
