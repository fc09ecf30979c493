namespace DataPlatform.Build.Tests.EndToEnd;

/// <summary>
/// A private copy of the compiled build root, so one case can break kind-config.yaml, .env or the build output
/// without touching the root every other end-to-end test shares. The compiled host is hard-linked, not copied
/// (it is the bulk of the root); a case that damages it asks for a real copy.
/// </summary>
sealed class CaseRoot : IDisposable
{
    CaseRoot(string path) => Path = path;

    public string Path { get; }

    public static async Task<CaseRoot> CopyAsync(CompiledBuildRoot build, bool copyBuildOutput = false)
    {
        var target = Directory.CreateTempSubdirectory("data-platform-case-").FullName;
        // A case that runs the linked host never recompiles it, so the compile's intermediates stay behind; one that
        // damages its copy of the host has the build rebuild it, from them.
        await CompiledBuildRoot.CopyRootAsync(build.Root, target, copyBuildOutput, withoutIntermediates: !copyBuildOutput);
        return new CaseRoot(target);
    }

    public string File(string relative) => System.IO.Path.Combine(Path, relative);

    /// <summary>Replaces a file (never writing through a hard link into the shared root).</summary>
    public void Write(string relative, string content)
    {
        var file = File(relative);
        System.IO.File.Delete(file);
        System.IO.File.WriteAllText(file, content);
    }

    public string Read(string relative) => System.IO.File.ReadAllText(File(relative));

    /// <summary>Rewrites a file through a function of its text (e.g. one line changed).</summary>
    public void Edit(string relative, Func<string, string> change) => Write(relative, change(Read(relative)));

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
