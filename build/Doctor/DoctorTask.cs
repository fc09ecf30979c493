using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.Doctor;

[TaskName("Doctor")]
[TaskDescription("Checks, read-only, that this machine can run kind and the platform (Docker, cgroups, memory, disk, inotify, ports, kubeconfig) and names the access mode. Up runs it first.")]
internal sealed class DoctorTask : FrostingTask<BuildContext>
{
    public override Task RunAsync(BuildContext context) =>
        context.Target.IsExisting ? ExistingCluster.ClusterDoctorService.RunAsync(context) : DoctorService.RunAsync(context);
}
