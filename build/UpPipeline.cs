using DataPlatform.Build.Access;
using DataPlatform.Build.Clean;
using DataPlatform.Build.Deploy;
using DataPlatform.Build.Diagnostics;
using DataPlatform.Build.Doctor;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.GatewayApi;
using DataPlatform.Build.ImageCache;
using DataPlatform.Build.Images;
using DataPlatform.Build.KindCluster;
using DataPlatform.Build.MetalLb;
using DataPlatform.Build.PrintHosts;
using DataPlatform.Build.Toolchain;
using DataPlatform.Build.TrustCa;
using DataPlatform.Build.Verify;

// The order of Up's steps, in one place (as kind's create.go lists its actions): each step's task does its own work
// and names no other step, so no step folder depends on the one before it. Up itself lists its last steps (UpTask).
[assembly: TaskDependencies(typeof(EnsureToolsTask), typeof(DoctorTask))]
[assembly: TaskDependencies(typeof(CheckImagesTask), typeof(EnsureToolsTask))]
[assembly: TaskDependencies(typeof(StartImageCacheTask), typeof(CheckImagesTask))]
[assembly: TaskDependencies(typeof(CreateClusterTask), typeof(StartImageCacheTask))]
[assembly: TaskDependencies(typeof(ConnectImageCacheTask), typeof(CreateClusterTask))]
[assembly: TaskDependencies(typeof(ComputeMetalLbRangeTask), typeof(CreateClusterTask))]
[assembly: TaskDependencies(typeof(ApplyGatewayCrdsTask), typeof(CreateClusterTask))]
[assembly: TaskDependencies(typeof(HelmfileApplyTask), typeof(ConnectImageCacheTask), typeof(ComputeMetalLbRangeTask), typeof(ApplyGatewayCrdsTask))]
[assembly: TaskDependencies(typeof(PublishPortsTask), typeof(HelmfileApplyTask))]

namespace DataPlatform.Build
{
    /// <summary>
    /// Every task the host registers, one line each: a scan of the assembly's types for them loaded every type at every
    /// start (tens of milliseconds). A new task is added here; the architecture tests fail when one is missing.
    /// </summary>
    internal static class TaskCatalog
    {
        public static readonly IReadOnlyList<Type> All =
        [
            typeof(DoctorTask), typeof(EnsureToolsTask), typeof(CheckImagesTask), typeof(StartImageCacheTask), typeof(CreateClusterTask),
            typeof(ConnectImageCacheTask), typeof(ComputeMetalLbRangeTask), typeof(ApplyGatewayCrdsTask), typeof(HelmfileApplyTask),
            typeof(PublishPortsTask), typeof(UpTask), typeof(VerifyTask), typeof(PrintHostsTask), typeof(TrustCaTask), typeof(DiagnoseTask),
            typeof(CleanTask), typeof(PurgeTask),
        ];
    }
}
