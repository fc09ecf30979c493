using DataPlatform.Build.Frosting;
using DataPlatform.Build.Kube;
using DataPlatform.Build.MetalLb;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tools;
using k8s;
using k8s.Models;
using Spectre.Console;

namespace DataPlatform.Build.ExistingCluster;

/// <summary>
/// Clean and Purge on an existing cluster: never the cluster itself (no kind, no docker), only what the platform put
/// there. Releases go with `helmfile destroy` (reverse needs order, pkg/app/app.go delete: Reverse: true), and only
/// those carrying the platform's label, in namespaces carrying it; then those namespaces, except one that holds a
/// release without the label (deleting it would delete that release); Purge also the CRDs the platform installed.
/// What is left alone is said. Nothing runs without --yes or the context's name typed at a terminal.
/// </summary>
internal sealed class ExistingClusterClean(BuildContext context)
{
    /// <summary>helm uninstall waits for nothing by default; this bounds the whole destroy.</summary>
    static readonly TimeSpan DestroyTimeout = TimeSpan.FromMinutes(15);
    static readonly TimeSpan DeleteTimeout = TimeSpan.FromMinutes(10);

    TargetCluster Target => context.Target;
    OwnershipLabel Ownership => context.HelmfileSpec.Ownership;

    /// <summary>--yes, or the context's name typed at a terminal; a run that cannot ask (CI, a pipe) without --yes changes nothing.</summary>
    public void Confirm(string target, Func<bool> interactive, Func<string?> readLine)
    {
        if (context.Options.Yes) return;
        var what = target == "Purge" ? "uninstall the platform's releases, delete its namespaces and the CRDs it installed" : "uninstall the platform's releases and delete its namespaces";
        if (!interactive())
            throw new ConfigurationRefusal(
                $"{target} on {Target.Describe()} would {what}. It needs a confirmation, and this run cannot ask for one (no terminal). " +
                $"Nothing was changed. Run it again with --yes (./build.sh --target={target} --yes) once you are sure.");
        context.Console.MarkupLineInterpolated($"[yellow]{target} will {what} in [bold]{Target.Context}[/]. The cluster itself and anything without the label {Ownership.Selector} stay.[/]");
        context.Console.Markup("Type the context's name to confirm: ");
        var typed = readLine()?.Trim();
        if (typed != Target.Context)
            throw new ConfigurationRefusal($"The name typed ({(string.IsNullOrEmpty(typed) ? "nothing" : typed)}) is not {Target.Context}: nothing was changed.");
    }

    public static bool IsInteractive() => !Console.IsInputRedirected && !Console.IsOutputRedirected;

    public async Task CleanAsync(bool purge, CancellationToken ct)
    {
        var namespaces = new OwnedNamespaces(() => context.Cluster, Ownership, context.Kubectl, context.Runner, Path.Combine(context.Root, ".artifacts"), context.Console);
        var owned = (await namespaces.ListAsync(ct)).Where(Ownership.Owns).Select(n => n.Name()).ToList();
        var helm = OwnedReleases.Of(context);
        var found = await helm.InAsync(owned, ct);
        var foreign = found.Where(r => !helm.Owns(r)).ToList();
        // helmfile destroys only what helmfile.yaml declares (all of it, MetalLB's too, whichever this run would deploy).
        var declared = HelmfileSpec.Load(context.HelmfileSpec.Path).Releases.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var releases = found.Where(r => helm.Owns(r) && declared.Contains(r.Id)).ToList();
        // Deleting a namespace deletes every release in it: one holding a release without the label stays.
        var deletable = owned.Where(n => foreign.All(r => r.Namespace != n)).ToList();
        // Read before the releases go: a chart's CRDs carry its release's annotations, and outlive it (cert-manager keeps them).
        var crds = purge ? await PlatformCrdsAsync(deletable, ct) : [];

        if (releases.Count > 0)
            await context.Runner.RunAsync(DestroyCommand(releases), ct);
        else if (owned.Count == 0)
            context.Console.MarkupLineInterpolated($"No namespace of {Target.Context} carries {Ownership.Selector}: no release of the platform to uninstall.");
        foreach (var release in foreign)
            context.Console.MarkupLineInterpolated(
                $"[yellow]Left alone: release {release.Release} in namespace {release.Namespace} has no label {Ownership.Selector}, so it is not the platform's; its namespace stays too.[/] If it really is the platform's: {helm.AdoptCommand(release)}, then run the same target again.");
        if (deletable.Count > 0)
            await context.Runner.RunAsync(context.Kubectl.Command(["delete", "namespace", .. deletable, "--ignore-not-found", $"--timeout={(int)DeleteTimeout.TotalSeconds}s"]) with
            {
                Mutating = true, Streamed = true, Timeout = DeleteTimeout + Kubectl.WaitMargin,
                WhenHung = $"A namespace is stuck terminating: `kubectl --context {Target.Context} get namespace` shows which, and its finalizers why.",
            }, ct);
        if (crds.Count > 0)
            await context.Runner.RunAsync(context.Kubectl.Command(["delete", "customresourcedefinition", .. crds, "--ignore-not-found"]) with
            {
                Mutating = true, Streamed = true, Timeout = DeleteTimeout,
                WhenHung = $"Deleting a CRD waits for its objects to go: `kubectl --context {Target.Context} get crd` shows which remain.",
            }, ct);
        var leftAlone = foreign.Count == 0 ? "" : $"{foreign.Count} release(s) without the label left alone ({string.Join(", ", foreign.Select(r => r.Id))}); ";
        context.Console.MarkupLineInterpolated($"{(purge ? "Purge" : "Clean")} of {Target.Context}: {releases.Count} release(s), {deletable.Count} namespace(s), {crds.Count} CRD(s) removed; {leftAlone}the cluster itself is untouched.");
    }

    /// <summary>
    /// `helmfile destroy` of the platform's releases only: one --selector name=...,namespace=... each (the terms of one
    /// selector must all hold, several selectors are OR'ed: helmfile pkg/state/release_filters.go and cmd/root.go), so
    /// neither a release without the label nor one of the same name in another namespace is ever selected.
    /// --skip-charts: uninstalling needs no chart.
    /// </summary>
    ToolCommand DestroyCommand(IReadOnlyList<HelmRevisionRecord> releases)
    {
        var spec = context.HelmfileSpec;
        // The values files are still rendered: MetalLB's needs a range even when this run would not install it.
        var environment = new Dictionary<string, string>(TargetInputs.HelmfileEnvironment(context, null))
        {
            [MetalLbService.Variable] = context.Variables.Find(MetalLbService.Variable) is { Length: > 0 } set ? set : DeploymentInputs.PlaceholderRange,
        };
        return new ToolCommand("helmfile", ["--file", spec.Path, "--kube-context", Target.Context,
                                            .. releases.SelectMany(r => new[] { "--selector", $"name={r.Release},namespace={r.Namespace}" }), "destroy", "--skip-charts"])
        {
            Mutating = true,
            Streamed = true,
            Environment = Helmfile.ChildEnvironment(environment),
            WorkingDirectory = Path.GetDirectoryName(spec.Path),
            Timeout = DestroyTimeout,
            WhenHung = $"A release does not uninstall: `helm --kube-context {Target.Context} list --all-namespaces` shows which; run the same target again.",
        };
    }

    /// <summary>
    /// CRDs the platform installed: those it labelled (the Gateway API bundle, when it applied it) and those helm
    /// annotated as a release's of the namespaces Clean deletes (never one that holds a release without the label).
    /// </summary>
    async Task<IReadOnlyList<string>> PlatformCrdsAsync(IReadOnlyList<string> deletable, CancellationToken ct)
    {
        var all = await ClusterReader.AskAsync(context.Cluster, (k, t) => k.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: t), ct);
        return all.Items.Where(crd => Ownership.Owns(crd) ||
                crd.Metadata?.Annotations?.TryGetValue("meta.helm.sh/release-namespace", out var ns) == true && deletable.Contains(ns))
            .Select(crd => crd.Name()).Order(StringComparer.Ordinal).ToList();
    }
}
