using DataPlatform.Build.Host;
using Spectre.Console;

namespace DataPlatform.Build.ExistingCluster;

/// <summary>
/// The steps that exist only for a kind cluster (its image cache, its creation, its ports): on an existing cluster each
/// is skipped with one line saying why, so `--dryrun` lists what runs and a real run says what it left out.
/// </summary>
internal static class KindOnlyStep
{
    public static bool Runs(BuildContext context, string step, string why)
    {
        if (IsKind(context)) return true;
        context.Console.MarkupLineInterpolated($"[grey]{step}: skipped on {context.Target.Describe()}: {why}.[/]");
        return false;
    }

    /// <summary>
    /// The target is kind-config.yaml's cluster. Under --dryrun nothing was validated yet: a broken kind-config.yaml
    /// reads as kind here (as before PLATFORM_CONTEXT existed); a real run reports it before the first step.
    /// </summary>
    public static bool IsKind(BuildContext context)
    {
        try { return context.Target.IsKind; }
        catch (Platform.ConfigFileException) { return true; }
    }
}

/// <summary>How an existing cluster is reached: its LoadBalancers' own addresses, never through a proxy on this machine.</summary>
internal static class ExistingClusterAccess
{
    public static AccessDecision Decision(TargetCluster target) =>
        new(AccessMode.Direct, $"{target.Context} is an existing cluster: its LoadBalancer addresses are reached directly", Overridden: false);
}
