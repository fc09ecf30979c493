using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.Tests.Frosting;

/// <summary>
/// Which JIT recording a run plays (a warm run's, so the common warm Up replays its own path), into a file of its own,
/// and which recordings are removed once superseded.
/// </summary>
public sealed class JitProfileTests : IDisposable
{
    readonly string _directory = Directory.CreateTempSubdirectory("jit-profile-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    string Recording(string name, TimeSpan age, bool notWarm = false)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, name);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        if (notWarm) File.WriteAllText(path + JitProfile.NotWarmSuffix, "");
        return path;
    }

    [Fact]
    public void A_run_plays_the_newest_recording_of_a_warm_run_in_a_file_of_its_own_dated_now()
    {
        Recording(".jit-Up.1.profile", TimeSpan.FromMinutes(10));
        Recording(".jit-Up.2.profile", TimeSpan.FromMinutes(5));
        var cold = Recording(".jit-Up.3.profile", TimeSpan.FromMinutes(1), notWarm: true);

        var own = JitProfile.Prepare(_directory, "Up", "9");

        Assert.Equal(Path.Combine(_directory, ".jit-Up.9.profile"), own);
        Assert.Equal(".jit-Up.2.profile", File.ReadAllText(own!));
        Assert.True(File.GetLastWriteTimeUtc(own!) > File.GetLastWriteTimeUtc(cold), "the copy is dated like the recording it copies, so another run may remove it");
        Assert.False(File.Exists(own + JitProfile.NotWarmSuffix));
    }

    [Fact]
    public void Without_a_warm_run_the_newest_recording_is_played_and_without_any_there_is_nothing_to_play()
    {
        Assert.False(File.Exists(JitProfile.Prepare(_directory, "Up", "8")));

        Recording(".jit-Up.1.profile", TimeSpan.FromMinutes(10), notWarm: true);
        Recording(".jit-Up.2.profile", TimeSpan.FromMinutes(5), notWarm: true);
        Recording(".jit-Clean.3.profile", TimeSpan.FromMinutes(1));

        Assert.Equal(".jit-Up.2.profile", File.ReadAllText(JitProfile.Prepare(_directory, "Up", "9")!));
    }

    [Fact]
    public void Superseded_recordings_and_their_markers_go_while_the_newest_the_warm_one_and_young_ones_stay()
    {
        var own = Recording(".jit-Up.9.profile", TimeSpan.Zero);
        var newest = Recording(".jit-Up.5.profile", TimeSpan.FromSeconds(5), notWarm: true);
        var young = Recording(".jit-Up.4.profile", TimeSpan.FromSeconds(20), notWarm: true);
        var warm = Recording(".jit-Up.3.profile", TimeSpan.FromMinutes(10));
        var olderWarm = Recording(".jit-Up.2.profile", TimeSpan.FromMinutes(20));
        var olderCold = Recording(".jit-Up.1.profile", TimeSpan.FromMinutes(30), notWarm: true);
        var otherTarget = Recording(".jit-Clean.1.profile", TimeSpan.FromHours(1));
        var orphan = Path.Combine(_directory, ".jit-Up.7.profile" + JitProfile.NotWarmSuffix);
        File.WriteAllText(orphan, "");

        JitProfile.RemoveSuperseded(_directory, "Up", own);

        Assert.Equal(
            new[] { otherTarget, warm, young, young + JitProfile.NotWarmSuffix, newest, newest + JitProfile.NotWarmSuffix, own }.Order(),
            Directory.GetFiles(_directory).Order());
        Assert.False(File.Exists(olderWarm) || File.Exists(olderCold) || File.Exists(olderCold + JitProfile.NotWarmSuffix) || File.Exists(orphan));
    }
}
