namespace DataPlatform.Build.Tests.Platform;

/// <summary>
/// The repository root, the one place tests find it: the first directory above the test binaries that holds build.sh
/// and helmfile.yaml.
/// </summary>
internal static class RepoRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    public static string File(params string[] parts) =>
        System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "helmfile.yaml"))
                && System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "build.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No build.sh with helmfile.yaml found in {AppContext.BaseDirectory} or any parent: run the tests from inside the repository.");
    }
}
