using DataPlatform.Build.Tests.Platform;
using DataPlatform.Build.Toolchain;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Tests.Toolchain;

/// <summary>
/// The repository's tools.yaml, read by the build's own reader: a test that needs "the pinned helm" or "the oldest
/// kubectl accepted" takes it from here, so bumping a tool is the one-line change tools.yaml promises.
/// </summary>
static class PinnedTools
{
    static readonly Lazy<ToolPins> Loaded = new(() => ToolPins.Load(RepoRoot.File(ToolPins.FileName)));

    public static ToolPins Pins => Loaded.Value;

    /// <summary>A version without its leading v, as helmfile names its assets and the stand-ins take STANDIN_VERSION_*.</summary>
    public static string Bare(ToolVersion version) => version.ToString().TrimStart('v');
}
