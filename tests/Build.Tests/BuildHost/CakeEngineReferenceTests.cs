using System.Text.Json;
using DataPlatform.Build.Tests.EndToEnd;
using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.BuildHost;

/// <summary>
/// build/CakeEngine.props finds Cake's assemblies inside NuGet's package folder. NUGET_PACKAGES may be set with or
/// without a trailing slash (setup-dotnet's caching guide sets it without one); either way the references must resolve,
/// or every `using Cake...` in the host fails to compile. Instead of compiling the host twice more, a one-line project
/// importing the real props file is restored and MSBuild's reference resolution runs alone: what it resolves is what
/// the compiler would get.
/// </summary>
public sealed class CakeEngineReferenceTests
{
    static readonly string[] CakeAssemblies = ["Cake.Core", "Cake.Common", "Cake.Cli"];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cake_assemblies_resolve_whether_NUGET_PACKAGES_ends_with_a_slash_or_not(bool trailingSlash)
    {
        var packages = MachinePackageFolder().TrimEnd('/') + (trailingSlash ? "/" : "");
        var project = Directory.CreateTempSubdirectory("cake-engine-props-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(project.FullName, "probe.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <Import Project="{RepoRoot.File("build", "CakeEngine.props")}" />
                  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
                </Project>
                """);

            var result = await ChildProcess.RunAsync(Dotnet(), ["msbuild", "probe.csproj", "-nologo", "-restore",
                    "-t:ResolveAssemblyReferences", "-getItem:ReferencePath"], project.FullName, Environment(packages));

            Assert.True(result.ExitCode == 0, $"restore and reference resolution failed with NUGET_PACKAGES={packages}:\n{result.Output}");
            var resolved = JsonDocument.Parse(result.StandardOutput).RootElement.GetProperty("Items").GetProperty("ReferencePath")
                .EnumerateArray().Select(item => item.GetProperty("Identity").GetString()!).ToList();
            foreach (var assembly in CakeAssemblies)
            {
                var path = resolved.SingleOrDefault(p => Path.GetFileName(p) == assembly + ".dll");
                Assert.True(path is not null, $"{assembly}.dll did not resolve with NUGET_PACKAGES={packages}; resolved:\n{string.Join('\n', resolved)}");
                Assert.True(File.Exists(path), path);
                Assert.DoesNotContain("//", path);
            }
        }
        finally
        {
            project.Delete(recursive: true);
        }
    }

    /// <summary>Where this machine's restore put the packages (the test project's own restore needed Cake.Tool there).</summary>
    static string MachinePackageFolder()
    {
        var folder = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set
            : Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        Assert.True(Directory.Exists(Path.Combine(folder, "cake.tool")), $"no cake.tool in the package folder {folder}: restore the test project first");
        return folder;
    }

    static Dictionary<string, string> Environment(string packages)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
            ["HOME"] = System.Environment.GetEnvironmentVariable("HOME") ?? "/root",
            ["NUGET_PACKAGES"] = packages,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            // No MSBuild node may outlive the call: it would hold the output pipes open.
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
        };
        foreach (var name in new[] { "DOTNET_ROOT", "NUGET_HTTP_CACHE_PATH", "NUGET_CERT_REVOCATION_MODE" })
            if (System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } value) environment[name] = value;
        return environment;
    }

    /// <summary>The dotnet that runs these tests.</summary>
    static string Dotnet() =>
        System.Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
}
