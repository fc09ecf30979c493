using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.Tasks;

/// <summary>Empty on purpose: its dependencies are the whole story.</summary>
[TaskName("Up")]
[TaskDescription("Brings the whole platform up: tools, image check, cluster, MetalLB range, Gateway API, helmfile apply, published ports (when the engine needs them), Verify, hosts lines and URLs.")]
[IsDependentOn(typeof(HelmfileApplyTask))]
[IsDependentOn(typeof(PublishPortsTask))]
[IsDependentOn(typeof(VerifyTask))]
[IsDependentOn(typeof(PrintHostsTask))]
internal sealed class UpTask : FrostingTask<BuildContext>;
