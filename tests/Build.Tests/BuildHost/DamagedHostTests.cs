using DataPlatform.Build.Tests.EndToEnd;
using DataPlatform.Build.Tests.Infrastructure;

namespace DataPlatform.Build.Tests.BuildHost;

/// <summary>
/// The run that compiles the host a second time: ./build.sh finds its compiled host damaged and rebuilds it in full
/// (a ReadyToRun Rebuild, about 90 s of one test on 2 cores), through the real script and the real .NET SDK. Its
/// collection starts first, so that minute and a half runs beside the other classes instead of after them.
/// </summary>
[Collection(DamagedHostCollection.Name)]
public sealed class DamagedHostTests(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>, IDisposable
{
    readonly Scenario _machine = new(build);

    public void Dispose() => _machine.Dispose();

    [Fact]
    public async Task A_truncated_build_host_is_rebuilt_instead_of_crashing()
    {
        // It damages a private copy: the class's root hard-links the compiled host that every other class runs.
        using var root = await CaseRoot.CopyAsync(build, copyBuildOutput: true);
        _machine.BuildRoot = root.Path;
        var dll = root.File(".artifacts/build/build.dll");
        var size = new FileInfo(dll).Length;
        using (var stream = new FileStream(dll, FileMode.Open, FileAccess.Write)) stream.SetLength(size / 3);

        var run = await _machine.RunBuildAsync("--target=Clean");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("damaged or incomplete", run.Text);
        Assert.Contains("nothing to remove", run.Text);
        Assert.Equal(size, new FileInfo(dll).Length);

        var warm = await _machine.RunBuildAsync("--target=Clean");
        Assert.True(warm.ExitCode == 0, warm.ToString());
        Assert.DoesNotContain("Compiling", warm.Text);
    }
}

[CollectionDefinition(Name)]
[StartsFirst]
public sealed class DamagedHostCollection
{
    public const string Name = "A damaged build host, rebuilt in full";
}
