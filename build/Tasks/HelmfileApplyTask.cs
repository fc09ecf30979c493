using DataPlatform.Build.Frosting;
using DataPlatform.Build.Services;

namespace DataPlatform.Build.Tasks;

[TaskName("HelmfileApply")]
[TaskDescription("Runs helmfile apply against the platform's context with .env and the computed values, retrying transient failures.")]
[IsDependentOn(typeof(ConnectImageCacheTask))]
[IsDependentOn(typeof(ComputeMetalLbRangeTask))]
[IsDependentOn(typeof(ApplyGatewayCrdsTask))]
internal sealed class HelmfileApplyTask : FrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var cluster = context.Results.Find<ClusterOutcome>() ?? ClusterOutcome.Existing;
        if (cluster.IsReachable) context.Kubeconfig.Read().Require(context.KindConfig.ContextName);
        var metalLb = context.Results.Find<MetalLbAddresses>()
            ?? await DeploymentInputs.MetalLbRangeAsync(cluster, context.Docker, context.Variables, context.Cancellation);
        var environment = DeploymentInputs.HelmfileEnvironment(context.Variables, metalLb, context.RegistryHtpasswd);
        await new HelmfileDeployer(context.HelmfileTool, context.HelmfileSpec, context.Options.HelmfileRetry, context.Console)
            .ApplyAsync(environment, context.Cancellation);
    }
}
