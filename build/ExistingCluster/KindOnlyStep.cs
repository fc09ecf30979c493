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
        if (context.Target.IsKind) return true;
        context.Console.MarkupLineInterpolated($"[grey]{step}: skipped on {context.Target.Describe()}: {why}.[/]");
        return false;
    }
}

/// <summary>How an existing cluster is reached: its LoadBalancers' own addresses, never through a proxy on this machine.</summary>
internal static class ExistingClusterAccess
{
    public static AccessDecision Decision(TargetCluster target) =>
        new(AccessMode.Direct, $"{target.Context} is an existing cluster: its LoadBalancer addresses are reached directly", Overridden: false);
}
