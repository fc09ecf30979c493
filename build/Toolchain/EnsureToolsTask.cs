using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.Toolchain;

[TaskName("EnsureTools")]
[TaskDescription("Checks Docker is running; installs kind, kubectl, helm, helmfile and helm-diff at the versions in tools.yaml (checksum-verified, into .tools/) unless a good copy is on PATH.")]
internal sealed class EnsureToolsTask : FrostingTask<BuildContext>
{
    public override Task RunAsync(BuildContext context) => ToolchainService.EnsureAsync(context);
}
