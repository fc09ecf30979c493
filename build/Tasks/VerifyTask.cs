using DataPlatform.Build.Frosting;
using DataPlatform.Build.Verification;

namespace DataPlatform.Build.Tasks;

[TaskName("Verify")]
[TaskDescription("Proves the platform works: workloads ready, certificates, routes, S3, registry and the sample database answer.")]
public sealed class VerifyTask : FrostingTask<BuildContext>
{
    /// <summary>Under --plan on a machine without the cluster there is nothing to read yet.</summary>
    public override bool ShouldRun(BuildContext context) => !context.ClusterIsPlanned;

    public override async Task RunAsync(BuildContext context)
    {
        context.RequirePlatformContext();
        var accessKey = context.Variables.Require("MINIO_ACCESS_KEY");
        var settings = new VerifySettings
        {
            Namespaces = context.Helmfile.Namespaces.Union(VerifySettings.ClusterNamespaces).ToList(),
            Releases = context.Helmfile.Releases,
            MetalLbRange = (await context.MetalLbRangeAsync()).Range,
            Credentials = new ProbeCredentials(accessKey, context.Variables.Require("MINIO_SECRET_KEY"),
                context.Variables.Require("REGISTRY_USER"), context.Variables.Require("REGISTRY_PASSWORD")),
            S3Bucket = MinioBuckets.Choose(context.Helmfile.Path, accessKey, context.Variables.Find),
            Timeout = context.Options.VerifyTimeout,
            ReportPath = context.Options.ReportPath,
        };
        await new Verifier(context.Cluster, context.Helm, settings, context.Console).RunAsync(context.Cancellation);
    }
}
