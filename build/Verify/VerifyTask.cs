using DataPlatform.Build.Access;
using DataPlatform.Build.Frosting;
using DataPlatform.Build.KindCluster;
using DataPlatform.Build.Progress;

namespace DataPlatform.Build.Verify;

[TaskName("Verify")]
[TaskDescription("Proves the platform works: workloads ready, certificates, routes, S3, registry and the sample database answer.")]
internal sealed class VerifyTask : FrostingTask<BuildContext>
{
    /// <summary>Under --plan on a machine without the cluster there is nothing to read yet.</summary>
    public override bool ShouldRun(BuildContext context) => context.ClusterOutcomeOrExisting.IsReachable;

    public override async Task RunAsync(BuildContext context)
    {
        context.Kubeconfig.Read().Require(context.Target.Context);
        var metalLb = await ExistingCluster.TargetInputs.MetalLbAsync(context, ClusterOutcome.Existing);
        var accessKey = context.Variables.Require("MINIO_ACCESS_KEY");
        var settings = new VerifySettings
        {
            Namespaces = ExistingCluster.TargetInputs.CheckedNamespaces(context),
            Releases = context.HelmfileSpec.Releases,
            // Empty without MetalLB: the cluster's own provider's addresses are not held to a range.
            MetalLbRange = metalLb?.Range ?? "",
            Credentials = new ProbeCredentials(accessKey, context.Variables.Require("MINIO_SECRET_KEY"),
                context.Variables.Require("REGISTRY_USER"), context.Variables.Require("REGISTRY_PASSWORD")),
            S3Bucket = MinioBuckets.Choose(context.HelmfileSpec.Path, accessKey, context.Variables.Find),
            Timeout = context.Options.VerifyTimeout,
            ReportPath = context.Options.ReportPath,
        };
        // After the variables are read, so a broken .env is reported as such; the probes then go the user's way:
        // 127.0.0.1 and the published port in published mode.
        var access = await AccessService.CurrentAsync(context);
        settings = settings with { Route = access.Route };
        try
        {
            // In a terminal Verify's own table is the live display; elsewhere the releases' progress is told in lines.
            await using (StepProgress.Start(context, "Verify", tableAllowed: false))
                await new Verifier(context.Cluster, context.Helm, settings, context.Console).RunAsync(context.Cancellation);
        }
        catch (Exception e)
        {
            await context.WriteDiagnosticsAfterFailureAsync("Verify", e);
            throw;
        }
    }
}
