using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.Unit.Validation;

/// <summary>
/// A throw-away copy of the clone's platform files (the four YAML files, .env and the values templates) in which a
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
        Directory.CreateDirectory(File("values"));
        foreach (var template in Directory.EnumerateFiles(RepoRoot.File("values"), "*.gotmpl"))
            System.IO.File.Copy(template, File("values", System.IO.Path.GetFileName(template)));
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

    public IReadOnlyList<Build.Platform.ConfigProblem> Validate(Func<string, string?>? environment = null) =>
        Build.Platform.PlatformValidator.Validate(Path, environment ?? (_ => null));

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
