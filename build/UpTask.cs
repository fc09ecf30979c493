using DataPlatform.Build.Access;
using DataPlatform.Build.Deploy;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.PrintHosts;
using DataPlatform.Build.Verify;

namespace DataPlatform.Build;

/// <summary>Empty on purpose: its dependencies are the whole story.</summary>
[TaskName("Up")]
[TaskDescription("Brings the whole platform up: tools, image check, cluster, MetalLB range, Gateway API, helmfile apply, published ports (when the engine needs them), Verify, hosts lines and URLs.")]
[IsDependentOn(typeof(HelmfileApplyTask))]
[IsDependentOn(typeof(PublishPortsTask))]
[IsDependentOn(typeof(VerifyTask))]
[IsDependentOn(typeof(PrintHostsTask))]
internal sealed class UpTask : FrostingTask<BuildContext>;
