using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;

namespace DataPlatform.Build.ExistingCluster;

/// <summary>
/// The committed .env holds the blog's demo passwords: fine on a laptop's kind cluster, which nobody else reaches; on an
/// existing cluster they would guard real storage and a real registry. Every secret still taken from .env is refused.
/// </summary>
internal static class DemoCredentials
{
    /// <summary>The secret keys whose value still comes from the committed .env (not .env.local, not the environment).</summary>
    public static IReadOnlyList<string> StillFromCommittedFile(PlatformEnvironment variables) =>
        variables.Values.Keys.Where(PlatformEnvironment.IsSecretKey)
            .Where(key => variables.SourceOf(key)?.File == TargetCluster.CommittedFile)
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>One line a user can paste: a strong value for each key, appended to .env.local.</summary>
    public static string GenerateCommand(IReadOnlyList<string> keys) =>
        $"for key in {string.Join(' ', keys)}; do echo \"$key=$(openssl rand -hex 24)\"; done >> {TargetCluster.LocalFile}";

    public static void Refuse(PlatformEnvironment variables, TargetCluster target)
    {
        var keys = StillFromCommittedFile(variables);
        if (keys.Count == 0) return;
        throw new ConfigurationRefusal(
            $"{target.Describe()} would get the demo credentials of {TargetCluster.CommittedFile}, which are public. Nothing was changed. " +
            $"Override each of these in {TargetCluster.LocalFile} (git-ignored): {string.Join(", ", keys)}." + Environment.NewLine +
            $"  generate strong values: {GenerateCommand(keys)}");
    }
}
