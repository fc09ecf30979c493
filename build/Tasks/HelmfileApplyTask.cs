using DataPlatform.Build.Frosting;
using DataPlatform.Build.Services;

namespace DataPlatform.Build.Tasks;

[TaskName("HelmfileApply")]
[TaskDescription("Runs helmfile apply against the platform's context with .env and the computed values, retrying transient failures.")]
[IsDependentOn(typeof(ComputeMetalLbRangeTask))]
[IsDependentOn(typeof(ApplyGatewayCrdsTask))]
public sealed class HelmfileApplyTask : FrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        context.RequirePlatformContext();
        var deployer = new HelmfileDeployer(context.HelmfileCli, context.Helmfile, context.Options.HelmfileRetry, context.Console);
        await deployer.ApplyAsync(await context.HelmfileEnvironmentAsync(), context.Cancellation);
    }
}
