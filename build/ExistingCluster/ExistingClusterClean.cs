using DataPlatform.Build.Frosting;
using DataPlatform.Build.Kube;
using DataPlatform.Build.MetalLb;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tools;
using k8s;
using k8s.Models;
using Spectre.Console;

namespace DataPlatform.Build.ExistingCluster;

/// <summary>
/// Clean and Purge on an existing cluster: never the cluster itself (no kind, no docker), only what the platform put
/// there. Releases go with `helmfile destroy` (reverse needs order, pkg/app/app.go delete: Reverse: true), and only
/// those in namespaces carrying the platform's label; then those namespaces; Purge also the CRDs the platform
/// installed. Nothing runs without --yes or the context's name typed at a terminal.
/// </summary>
internal sealed class ExistingClusterClean(BuildContext context)
{
    /// <summary>helm uninstall waits for nothing by default; this bounds the whole destroy.</summary>
    static readonly TimeSpan DestroyTimeout = TimeSpan.FromMinutes(15);
    static readonly TimeSpan DeleteTimeout = TimeSpan.FromMinutes(10);

    TargetCluster Target => context.Target;

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
        var namespaces = new OwnedNamespaces(() => context.Cluster, context.Kubectl, context.Runner, Path.Combine(context.Root, ".artifacts"), context.Console);
        var owned = (await namespaces.ListAsync(ct)).Where(Ownership.IsOwned).Select(n => n.Name()).ToList();
        // Read before the releases go: a chart's CRDs carry its release's annotations, and outlive it (cert-manager keeps them).
        var crds = purge ? await PlatformCrdsAsync(owned, ct) : [];

        var releases = context.HelmfileSpec.Releases.Where(r => owned.Contains(r.Namespace)).ToList();
        if (releases.Count > 0)
            await context.Runner.RunAsync(DestroyCommand(owned), ct);
        else
            context.Console.MarkupLineInterpolated($"No namespace of {Target.Context} carries {Ownership.Selector}: no release of the platform to uninstall.");
        if (owned.Count > 0)
            await context.Runner.RunAsync(context.Kubectl.Command(["delete", "namespace", .. owned, "--ignore-not-found", $"--timeout={(int)DeleteTimeout.TotalSeconds}s"]) with
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
        context.Console.MarkupLineInterpolated($"{(purge ? "Purge" : "Clean")} of {Target.Context}: {releases.Count} release(s), {owned.Count} namespace(s), {crds.Count} CRD(s) removed; the cluster itself is untouched.");
    }

    /// <summary>
    /// `helmfile destroy` of the releases in the platform's namespaces only: one --selector namespace=... each (several
    /// selectors are OR'ed), so a release of the same name in a namespace the platform did not create is never selected.
    /// --skip-charts: uninstalling needs no chart.
    /// </summary>
    ToolCommand DestroyCommand(IReadOnlyList<string> owned)
    {
        var spec = context.HelmfileSpec;
        // The values files are still rendered: MetalLB's needs a range even when this run would not install it.
        var environment = new Dictionary<string, string>(TargetInputs.HelmfileEnvironment(context, null))
        {
            [MetalLbService.Variable] = context.Variables.Find(MetalLbService.Variable) is { Length: > 0 } set ? set : DeploymentInputs.PlaceholderRange,
        };
        return new ToolCommand("helmfile", ["--file", spec.Path, "--kube-context", Target.Context,
                                            .. owned.SelectMany(n => new[] { "--selector", $"namespace={n}" }), "destroy", "--skip-charts"])
        {
            Mutating = true,
            Streamed = true,
            Environment = Helmfile.ChildEnvironment(environment),
            WorkingDirectory = Path.GetDirectoryName(spec.Path),
            Timeout = DestroyTimeout,
            WhenHung = $"A release does not uninstall: `helm --kube-context {Target.Context} list --all-namespaces` shows which; run the same target again.",
        };
    }

    /// <summary>CRDs the platform installed: those it labelled (the Gateway API bundle, when it applied it) and those of its releases (helm's annotations).</summary>
    async Task<IReadOnlyList<string>> PlatformCrdsAsync(IReadOnlyList<string> owned, CancellationToken ct)
    {
        var all = await ClusterReader.AskAsync(context.Cluster, (k, t) => k.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: t), ct);
        return all.Items.Where(crd => Ownership.IsOwned(crd) ||
                crd.Metadata?.Annotations?.TryGetValue("meta.helm.sh/release-namespace", out var ns) == true && owned.Contains(ns))
            .Select(crd => crd.Name()).Order(StringComparer.Ordinal).ToList();
    }
}
