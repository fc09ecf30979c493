using DataPlatform.Build.Frosting;
using DataPlatform.Build.Toolchain;

namespace DataPlatform.Build.Tasks;

[TaskName("EnsureTools")]
[TaskDescription("Checks Docker is running and that kind, kubectl, helm and helmfile are installed at the pinned versions.")]
public sealed class EnsureToolsTask : FrostingTask<BuildContext>
{
    public override Task RunAsync(BuildContext context) => ToolchainService.EnsureAsync(context);
}
