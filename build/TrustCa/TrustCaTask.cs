using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.TrustCa;

[TaskName("TrustCA")]
[TaskDescription("Writes the platform CA from the cluster's trust bundle to a file (--output) and prints how to trust it on this machine; installs nothing.")]
internal sealed class TrustCaTask : FrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        context.Kubeconfig.Read().Require(context.Target.Context);
        var path = context.Options.CaOutput ?? Path.Combine(context.Root, TrustCaService.DefaultFile);
        var osRelease = File.Exists("/etc/os-release") ? File.ReadAllText("/etc/os-release") : null;
        await new TrustCaService(context.Cluster, context.Console)
            .RunAsync(path, TrustCaService.Detect(osRelease), context.EnvironmentVariable("WSL_DISTRO_NAME"), context.Cancellation);
    }
}
