using DataPlatform.Build.Frosting;
using DataPlatform.Build.Images;
using DataPlatform.Build.Progress;
using Spectre.Console;

namespace DataPlatform.Build.Deploy;

[TaskName("HelmfileApply")]
[TaskDescription("Runs helmfile apply against the platform's context with .env and the computed values, retrying transient failures and, before each attempt, repairing releases an earlier apply left failed or pending, after checking that every image the releases run exists (unless CheckImages did, before the cluster was created); skipped when nothing changed since the last apply and the platform is healthy, every declared release deployed (--force runs it).")]
internal sealed class HelmfileApplyTask : FrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var cluster = context.ClusterOutcomeOrExisting;
        if (cluster.IsReachable) context.Kubeconfig.Read().Require(context.Target.Context);
        var metalLb = await ExistingCluster.TargetInputs.MetalLbAsync(context, cluster);
        var environment = ExistingCluster.TargetInputs.HelmfileEnvironment(context, metalLb);

        var inputs = AppliedInputs.Compute(context.Root, environment);
        var gate = WarmApplyGate(context);
        AppliedRecord? stored = null;
        if (cluster.IsReachable)
        {
            (var decision, stored) = await gate.DecideAsync(inputs, context.Options.Force, context.Cancellation);
            if (!decision.Apply) return;
            // On a new cluster CheckImages already asked, before the cluster was created; never twice in one run.
            if (!context.Options.SkipImageCheck && !ImageCheck.AlreadyRan(context))
                await ImageCheck.RunAsync(context, environment,
                    BuildImages.ToPull(context.KindConfig, createsCluster: false, startsMirrors: false, publishes: await ImageCheck.PublishesAsync(context)));
        }

        // An existing cluster: the run stops when a release helmfile would upgrade, or one of the releases' namespaces, is someone
        // else's (no ownership label); otherwise the namespaces are created labelled as the platform's.
        if (context.Target.IsExisting)
            await ExistingCluster.OwnedReleases.Of(context).RefuseForeignAsync(context.HelmfileSpec.Releases, context.Cancellation);
        if (context.Target.IsExisting)
            await new ExistingCluster.OwnedNamespaces(() => context.Cluster, context.HelmfileSpec.Ownership, context.Kubectl, context.Runner, Path.Combine(context.Root, ".artifacts"), context.Console)
                .EnsureAsync(context.HelmfileSpec.Namespaces, context.Cancellation);

        // On an existing cluster, the CRDs that appear during the apply are the charts' (Purge removes only the platform's).
        var crdsBefore = context.Target.IsExisting && !context.Options.Plan ? await ExistingCluster.CrdOwnership.NamesAsync(context) : null;

        // Under --plan a cluster still to be created has no releases to read, let alone repair.
        var repairer = cluster.IsReachable ? new ReleaseRepairer(context.Helm, context.HelmfileTool, context.HelmfileSpec, context.Console) : null;
        try
        {
            // Beside helmfile, never in its way: what the releases wait for, read in-process until helmfile returns.
            await using (cluster.IsReachable && !context.Options.Plan ? StepProgress.Start(context, "HelmfileApply") : null)
                await new HelmfileDeployer(context.HelmfileTool, context.HelmfileSpec, context.Options.HelmfileRetry, context.Console, repairer)
                    .ApplyAsync(environment, context.Cancellation);
        }
        catch (Exception e) when (cluster.IsReachable)
        {
            // What a failed apply installed is the platform's all the same: Purge must find it.
            if (crdsBefore is not null && !context.Cancellation.IsCancellationRequested)
                try { await ExistingCluster.CrdOwnership.LabelAppearedAsync(context, crdsBefore); }
                catch (Exception labelling) when (labelling is not OperationCanceledException)
                {
                    context.Console.MarkupLineInterpolated(
                        $"[yellow]The CRDs this apply installed could not be labelled as the platform's ({labelling.Message}), and Purge removes only labelled ones: `kubectl --context {context.Target.Context} get crd` lists them, `kubectl --context {context.Target.Context} label crd <name> {context.HelmfileSpec.Ownership.Selector}` marks one.[/]");
                }
            await context.WriteDiagnosticsAfterFailureAsync("HelmfileApply", e);
            throw;
        }
        if (crdsBefore is not null) await ExistingCluster.CrdOwnership.LabelAppearedAsync(context, crdsBefore);
        await gate.RecordAsync(stored, inputs, DateTimeOffset.UtcNow, context.Cancellation);
    }

    static WarmApplyGate WarmApplyGate(BuildContext context)
    {
        var namespaces = ExistingCluster.TargetInputs.CheckedNamespaces(context);
        var health = new PlatformHealthCheck(() => context.Cluster, context.Helm, context.HelmfileSpec.Releases, namespaces, context.Target.Context);
        var store = new AppliedRecordStore(context.Runner, context.Kubectl, context.ClusterReads, Path.Combine(context.Root, ".artifacts"));
        return new WarmApplyGate(store, health.CheckAsync, context.Console);
    }
}
