using DataPlatform.Build.Access;
using DataPlatform.Build.Deploy;
using DataPlatform.Build.Doctor;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.GatewayApi;
using DataPlatform.Build.ImageCache;
using DataPlatform.Build.Images;
using DataPlatform.Build.KindCluster;
using DataPlatform.Build.MetalLb;
using DataPlatform.Build.Toolchain;

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
