using System.Text.RegularExpressions;
using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.Architecture;

/// <summary>
/// Messages and tests name source files by path ("build/ImageCache/ImageCacheService.cs (ImageCacheService.Image)"
/// tells a user where an image is pinned; the RealDockerd tests rewrite the pins there). A move that leaves such a path
/// behind sends the user to a file that is not there and fails the daemon tests only where a daemon runs.
/// </summary>
public sealed partial class SourcePathsTests
{
    [GeneratedRegex(@"""(?<path>build/[\w./-]+\.(?:cs|csproj|props))\b")]
    private static partial Regex QuotedSourcePath();

    [Fact]
    public void Every_source_path_quoted_in_the_build_or_its_tests_exists()
    {
        var root = RepoRoot.Path;
        var quoted = new[] { "build", "tests/Build.Tests" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/"))
            .SelectMany(f => QuotedSourcePath().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetRelativePath(root, f), m.Groups["path"].Value)))
            .ToList();
        Assert.NotEmpty(quoted);
        var missing = quoted.Where(q => !File.Exists(Path.Combine(root, q.Value))).Select(q => $"{q.File} names {q.Value}").ToList();
        Assert.True(missing.Count == 0, "these source paths no longer exist (moved?):\n" + string.Join("\n", missing));
    }
}
