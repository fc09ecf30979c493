using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.Tests.Frosting;

/// <summary>Which JIT recording a run plays: a warm run's, so the common warm Up replays its own path.</summary>
public sealed class JitProfileTests : IDisposable
{
    readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("jit-profile-");

    public void Dispose() => _directory.Delete(recursive: true);

    FileInfo Recording(string name)
    {
        var file = new FileInfo(Path.Combine(_directory.FullName, name));
        File.WriteAllText(file.FullName, name);
        return file;
    }

    [Fact]
    public void The_newest_recording_of_a_warm_run_is_played_before_a_newer_one_of_a_run_that_changed_something()
    {
        var cold = Recording(".jit-Up.3.profile");
        var warm = Recording(".jit-Up.2.profile");
        var olderWarm = Recording(".jit-Up.1.profile");

        var played = JitProfile.Preferred([cold, warm, olderWarm], f => f == cold);

        Assert.Same(warm, played);
    }

    [Fact]
    public void Without_a_warm_run_the_newest_recording_is_played_and_without_any_none()
    {
        var cold = Recording(".jit-Up.2.profile");
        var failed = Recording(".jit-Up.1.profile");

        Assert.Same(cold, JitProfile.Preferred([cold, failed], _ => true));
        Assert.Null(JitProfile.Preferred([], _ => false));
    }
}
