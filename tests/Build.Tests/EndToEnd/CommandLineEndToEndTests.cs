namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// The command line, the validation before the first change, the run lock and the compiled host's JIT profiles,
/// through the real ./build.sh with stand-in kind/kubectl/helmfile/docker recording every call.
/// </summary>
public sealed class CommandLineEndToEndTests(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>, IDisposable
{
    readonly Scenario _machine = new(build);

    public void Dispose() => _machine.Dispose();

    [Fact]
    public async Task A_typo_in_an_option_of_Clean_exits_2_and_deletes_nothing()
    {
        await _machine.GivenPlatformClusterAsync();

        var run = await _machine.RunBuildAsync("--target=Clean", "--pln");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("unknown option --pln: did you mean --plan?", run.Text);
        Assert.Empty(run.Calls);
        Assert.Equal([FixturePlatform.ClusterName], _machine.Clusters);
        Assert.False(run.HasStackTrace, run.ToString());
    }

    [Theory]
    [InlineData("--tagret=Clean", "unknown option --tagret: did you mean --target?")]
    [InlineData("--exclusiv", "unknown option --exclusiv: did you mean --exclusive?")]
    [InlineData("--target=Claen", "unknown target 'Claen': did you mean Clean?")]
    [InlineData("--helmfile-attempts=0", "--helmfile-attempts must be a whole number from 1 to 10, got '0'.")]
    [InlineData("--timeout=abc", "--timeout must be a number of seconds from 0 to 86400, got 'abc'.")]
    [InlineData("--report=", "--report needs a value: --report=<path>.")]
    public async Task A_command_line_mistake_exits_2_before_any_tool_is_called(string arg, string message)
    {
        var run = await _machine.RunBuildAsync(arg);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(message, run.Text);
        Assert.Empty(run.Calls);
        Assert.Empty(_machine.Clusters);
    }

    [Fact]
    public async Task A_hosts_file_without_a_value_writes_no_file_named_true()
    {
        var run = await _machine.RunBuildAsync("--target=PrintHosts", "--hosts-file");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--hosts-file needs a value", run.Text);
        Assert.False(File.Exists(Path.Combine(_machine.Home, "true")));
        Assert.Empty(run.Calls);
    }

    [Fact]
    public async Task One_helmfile_attempt_runs_helmfile_exactly_once_and_does_not_retry()
    {
        _machine.SetState("helmfile_failures", "transient\n");

        var run = await _machine.RunBuildAsync("--target=HelmfileApply", "--helmfile-attempts=1");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Single(run.Named("helmfile apply"));
        Assert.Contains("still failing after 1 attempt with what looks transient", run.Text);
        Assert.DoesNotContain("attempt 2", run.Text);
        Assert.False(run.HasStackTrace, run.ToString());
    }

    [Fact]
    public async Task Every_problem_in_the_platform_files_is_reported_at_once_before_anything_runs_and_Clean_still_works()
    {
        var helmfile = Path.Combine(build.Root, "helmfile.yaml");
        var env = Path.Combine(build.Root, ".env");
        var (helmfileText, envText) = (File.ReadAllText(helmfile), File.ReadAllText(env));
        try
        {
            File.WriteAllText(helmfile, helmfileText.Replace($"kubeContext: {FixturePlatform.Context}", "kubeContext: kind-other"));
            File.WriteAllText(env, envText + "\nthis line is not an assignment\n");
            await _machine.GivenPlatformClusterAsync();

            foreach (var target in new[] { "--target=Up", "--target=Verify" })
            {
                var run = await _machine.RunBuildAsync(target, "--plan");

                Assert.True(run.ExitCode == 1, run.ToString());
                Assert.Contains("problems, found before changing anything", run.Text);
                Assert.Matches(@"helmfile\.yaml(:\d+)*: .*kind-other", run.Text);
                Assert.Matches(@"\.env(:\d+)*: ", run.Text);
                Assert.Empty(run.Calls);                        // not even docker info: nothing ran
                Assert.False(run.HasStackTrace, run.ToString());
            }

            // Clean reads only kind-config.yaml: a broken helmfile.yaml or .env must not keep it from removing the cluster.
            var clean = await _machine.RunBuildAsync("--target=Clean");

            Assert.True(clean.ExitCode == 0, clean.ToString());
            Assert.Single(clean.Named("kind delete cluster"));
            Assert.Empty(_machine.Clusters);
        }
        finally
        {
            File.WriteAllText(helmfile, helmfileText);
            File.WriteAllText(env, envText);
        }
    }

    [Fact]
    public async Task A_second_run_in_the_same_clone_waits_for_the_first_and_gives_up_naming_it()
    {
        var lockFile = Path.Combine(build.Root, ".artifacts", "run.lock");
        var ownerFile = lockFile + ".owner";
        // The test process plays the first run: it holds the lock as the build does (an exclusive flock).
        using (new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            File.WriteAllText(ownerFile, "pid 4242 (--target=Up, started 2026-11-25 20:00:00 UTC)");
            try
            {
                var refused = await _machine.RunBuildAsync("--target=Clean", "--lock-wait=0");

                Assert.True(refused.ExitCode == 1, refused.ToString());
                Assert.Contains("Another ./build.sh is running in this clone (pid 4242", refused.Text);
                Assert.Contains(lockFile.Replace(" ", ""), refused.Squashed);
                Assert.Empty(refused.Calls);
                Assert.False(refused.HasStackTrace, refused.ToString());

                // Read-only modes need no lock.
                Assert.Equal(0, (await _machine.RunBuildAsync("--target=Up", "--dryrun")).ExitCode);
                Assert.Equal(0, (await _machine.RunBuildAsync("--tree")).ExitCode);
            }
            finally { File.Delete(ownerFile); }
        }

        // Released: the next run takes it at once.
        var clean = await _machine.RunBuildAsync("--target=Clean", "--lock-wait=0");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.False(File.Exists(ownerFile));                // the run cleaned up behind itself
    }

    [Fact]
    public async Task A_run_in_another_clone_of_the_same_cluster_is_waited_for_and_given_up_on_naming_it()
    {
        // The other clone's run holds the cluster's lock in the user's cache (the test process plays it, with an
        // exclusive flock as the build takes it); this clone's own lock is free.
        var lockFile = Path.Combine(_machine.Home, ".cache", "data-platform-build", FixturePlatform.ClusterName + ".lock");
        Directory.CreateDirectory(Path.GetDirectoryName(lockFile)!);
        using (new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            File.WriteAllText(lockFile + ".owner", "pid 4343 (--target=Up in /home/me/other-clone, started 2026-11-25 20:00:00 UTC)");
            var refused = await _machine.RunBuildAsync("--target=HelmfileApply", "--lock-wait=0");

            Assert.True(refused.ExitCode == 1, refused.ToString());
            Assert.Contains($"Another ./build.sh is running on cluster {FixturePlatform.ClusterName}", refused.Text);
            Assert.Contains("/home/me/other-clone", refused.Text);
            Assert.Empty(refused.Calls);
            Assert.False(refused.HasStackTrace, refused.ToString());
        }

        var released = await _machine.RunBuildAsync("--target=Clean", "--lock-wait=0");
        Assert.True(released.ExitCode == 0, released.ToString());
        Assert.False(File.Exists(lockFile + ".owner")); // the run took the lock, then cleaned up behind itself
    }

    [Fact]
    public async Task A_cache_directory_that_cannot_be_created_only_warns_that_other_clones_are_not_waited_for()
    {
        var file = Path.Combine(_machine.Home, "not-a-directory");
        File.WriteAllText(file, "");
        _machine.UserEnvironment["XDG_CACHE_HOME"] = Path.Combine(file, "cache"); // a path under a file: nothing can create it

        var run = await _machine.RunBuildAsync("--target=Clean", "--lock-wait=0");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("runs from other clones of this cluster are not waited for", run.Text);
        Assert.Contains("XDG_CACHE_HOME", run.Text);
    }

    [Fact]
    public async Task A_run_records_its_JIT_profile_into_a_file_of_its_own_never_through_a_hard_link()
    {
        // Copies of a clone made with `cp -al` (as the case roots here are) share the host's files, its JIT profiles
        // included: a run must record into a new file, not into the file another copy reads. The linked file is no
        // profile at all, which the runtime must ignore.
        using var root = await CaseRoot.CopyAsync(build);
        _machine.BuildRoot = root.Path;
        var host = root.File(".artifacts/build");
        foreach (var stale in Directory.GetFiles(host, ".jit-Clean.*")) File.Delete(stale);
        var otherCopy = root.File("another-copy.profile");
        File.WriteAllText(otherCopy, "another copy's profile");
        File.SetLastWriteTimeUtc(otherCopy, DateTime.UtcNow.AddHours(-1));
        var linked = Path.Combine(host, ".jit-Clean.1.profile");
        var link = await ChildProcess.RunAsync("ln", [otherCopy, linked], root.Path, new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" });
        Assert.True(link.ExitCode == 0, link.Output);

        var first = await _machine.RunBuildAsync("--target=Clean");
        var second = await _machine.RunBuildAsync("--target=Clean");

        Assert.True(first.ExitCode == 0 && second.ExitCode == 0, $"{first}\n{second}");
        Assert.Equal("another copy's profile", File.ReadAllText(otherCopy));
        var recordings = Directory.GetFiles(host, ".jit-Clean.*.profile");
        Assert.Contains(recordings, r => r != linked && new FileInfo(r).Length > 0 && File.ReadAllText(r) != "another copy's profile");
        // The superseded recording is removed (the link only: the other copy keeps its file).
        Assert.DoesNotContain(linked, recordings);
        Assert.True(File.Exists(otherCopy));
        // Runs that changed nothing leave no marker (a warm run prefers their recordings); one that changed something
        // and one that failed each mark theirs.
        Assert.Empty(Directory.GetFiles(host, ".jit-Clean.*.not-warm"));
        await _machine.GivenPlatformClusterAsync();
        var removing = await _machine.RunBuildAsync("--target=Clean");
        Assert.True(removing.ExitCode == 0 && removing.Calls.Any(c => c.IsMutating), removing.ToString());
        _machine.SetState("docker_down", "");
        var failed = await _machine.RunBuildAsync("--target=Clean");
        Assert.Equal(1, failed.ExitCode);
        var markers = Directory.GetFiles(host, ".jit-Clean.*.not-warm");
        Assert.Equal(2, markers.Length);
        Assert.All(markers, m => Assert.True(new FileInfo(m[..^".not-warm".Length]).Length > 0, $"no recording beside {m}"));
    }

    [Theory]
    [InlineData("LC_ALL", "C")]
    [InlineData("LANG", "en_US.ISO-8859-1")]
    public async Task A_terminal_whose_locale_is_not_UTF_8_gets_only_ASCII(string variable, string locale)
    {
        _machine.UserEnvironment[variable] = locale;

        var help = await _machine.RunBuildAsync("--help");
        var tools = await _machine.RunBuildAsync("--target=EnsureTools");

        Assert.True(help.ExitCode == 0 && tools.ExitCode == 0, $"{help}\n{tools}");
        foreach (var run in new[] { help, tools })
            Assert.True(run.Output.All(c => c < 128), $"non-ASCII characters under {variable}={locale}: " +
                string.Concat(run.Output.Where(c => c >= 128).Distinct()) + $"\n{run}");
        Assert.Contains("Target", help.Output);
    }

    [Fact]
    public async Task A_UTF_8_terminal_keeps_its_box_drawing()
    {
        var help = await _machine.RunBuildAsync("--help");

        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains(help.Output, c => c is >= '\u2500' and <= '\u257f');
    }
}
