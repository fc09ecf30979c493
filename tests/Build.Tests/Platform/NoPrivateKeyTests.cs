using System.Diagnostics;
using System.Text.RegularExpressions;

namespace DataPlatform.Build.Tests.Platform;

/// <summary>The seed committed its root CA private key; ours is created in the cluster, and no key may reach git.</summary>
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
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-C", RepoRoot.Path, "ls-files", "-z", "--cached", "--others", "--exclude-standard" })
        {
            start.ArgumentList.Add(arg);
        }

        using var git = System.Diagnostics.Process.Start(start)!;
        var output = git.StandardOutput.ReadToEnd();
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git ls-files failed ({git.ExitCode}): {error}");

        return output.Split('\0', StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
    }
}
