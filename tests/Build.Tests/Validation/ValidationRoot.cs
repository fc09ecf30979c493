using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.Validation;

/// <summary>
/// A throw-away copy of the clone's platform files (the four YAML files, .env and the values files) in which a
/// test replaces one file, so each case checks one change against otherwise real, valid files.
/// </summary>
sealed class ValidationRoot : IDisposable
{
    public static readonly string[] PlatformFiles = ["kind-config.yaml", "helmfile.yaml", "gateway-api.yaml", "tools.yaml", ".env"];

    public string Path { get; } = Directory.CreateTempSubdirectory("validate-").FullName;

    public ValidationRoot()
    {
        foreach (var file in PlatformFiles)
            System.IO.File.Copy(RepoRoot.File(file), File(file));
        // Every values file helmfile.yaml lists is checked (and readFile's targets live in values/sql), so all of values/.
        foreach (var file in Directory.EnumerateFiles(RepoRoot.File("values"), "*", SearchOption.AllDirectories))
        {
            var copy = File("values", System.IO.Path.GetRelativePath(RepoRoot.File("values"), file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(copy)!);
            System.IO.File.Copy(file, copy);
        }
    }

    public string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public ValidationRoot Write(string file, string text)
    {
        System.IO.File.WriteAllText(File(file), text);
        return this;
    }

    public ValidationRoot Write(string file, byte[] bytes)
    {
        System.IO.File.WriteAllBytes(File(file), bytes);
        return this;
    }

    /// <param name="inheritedBytes">The environment the build's children inherit; 16 KiB, a usual shell's, unless a test says otherwise.</param>
    public IReadOnlyList<Build.Platform.ConfigProblem> Validate(Func<string, string?>? environment = null, long inheritedBytes = 16 * 1024) =>
        Build.Validation.PlatformValidator.Validate(Path, environment ?? (_ => null), inheritedBytes);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
