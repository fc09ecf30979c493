using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;

namespace DataPlatform.Build.Tests.Platform;

/// <summary>The root CA private key is created in the cluster: no private key may reach git, where every clone would share it.</summary>
public sealed class NoPrivateKeyTests
{
    // Assembled from parts so that this file does not match itself.
    private static readonly Regex PemPrivateKey = new("-----BEGIN" + " ([A-Z0-9]+ )*PRIVATE KEY-----");

    [Fact]
    public void No_tracked_or_addable_file_holds_pem_private_key_material()
    {
        var files = GitFiles();
        Assert.Contains("helmfile.yaml", files);

        var offenders = files
            .Select(f => Path.Combine(RepoRoot.Path, f))
            .Where(File.Exists)
            .Where(path => new FileInfo(path).Length < 10_000_000 && PemPrivateKey.IsMatch(File.ReadAllText(path)))
            .Select(path => Path.GetRelativePath(RepoRoot.Path, path))
            .ToList();

        Assert.True(offenders.Count == 0, $"private key material in: {string.Join(", ", offenders)}");
    }

    /// <summary>Tracked files plus untracked ones that are not ignored, i.e. what the next commit could contain.</summary>
    private static List<string> GitFiles()
    {
        var git = Cli.Wrap("git").WithArguments(["-C", RepoRoot.Path, "ls-files", "-z", "--cached", "--others", "--exclude-standard"])
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync().GetAwaiter().GetResult();
        Assert.True(git.ExitCode == 0, $"git ls-files failed ({git.ExitCode}): {git.StandardError}");

        return git.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
    }
}
