namespace DataPlatform.Build.Host;

internal enum EngineKind { DockerEngine, RootlessDocker, DockerDesktop, Colima, Podman }

/// <summary>The operating system the build itself runs on (not the engine's, which docker info reports).</summary>
internal enum HostOs { Linux, MacOs, Windows, Other }

/// <summary>
/// Which engine answers `docker`, as far as docker info tells: Docker Desktop reports OperatingSystem "Docker Desktop"
/// (Name "docker-desktop" on Windows, kernel "-linuxkit" on macOS, "-microsoft-standard-WSL2" on Windows), rootless
/// Docker lists name=rootless in SecurityOptions, Colima's VM is named colima[-profile], Podman answers in its own shape.
/// </summary>
internal sealed record HostEngine(EngineKind Kind, string Description, bool Wsl2, bool Rootless, HostOs Os)
{
    /// <summary>The engine's containers run on this machine's kernel and disk (not in a VM the host cannot see into).</summary>
    public bool SharesHostKernel => Os == HostOs.Linux && Kind is EngineKind.DockerEngine or EngineKind.RootlessDocker or EngineKind.Podman;

    public static HostEngine Detect(DockerInfo info, HostOs os)
    {
        var wsl2 = info.KernelVersion.Contains("microsoft-standard-WSL2", StringComparison.OrdinalIgnoreCase);
        if (info.IsPodman)
            return new(EngineKind.Podman, info.Rootless ? "Podman (rootless)" : "Podman (rootful)", wsl2, info.Rootless, os);
        if (info.OperatingSystem == "Docker Desktop" || info.Name == "docker-desktop")
        {
            var where = wsl2 ? "on Windows (WSL2)"
                : info.KernelVersion.Contains("linuxkit", StringComparison.OrdinalIgnoreCase) && os != HostOs.Linux ? "on macOS"
                : os == HostOs.Linux ? "on Linux" : os == HostOs.MacOs ? "on macOS" : "";
            return new(EngineKind.DockerDesktop, $"Docker Desktop {where}".Trim(), wsl2, info.Rootless, os);
        }
        if (info.Name == "colima" || info.Name.StartsWith("colima-", StringComparison.Ordinal))
            return new(EngineKind.Colima, $"Colima ({info.Name})", wsl2, info.Rootless, os);
        if (info.Rootless)
            return new(EngineKind.RootlessDocker, "rootless Docker", wsl2, true, os);
        return new(EngineKind.DockerEngine, wsl2 ? "Docker Engine inside WSL2" : "Docker Engine (rootful)", wsl2, false, os);
    }

    public static HostOs CurrentOs() =>
        OperatingSystem.IsLinux() ? HostOs.Linux
        : OperatingSystem.IsMacOS() ? HostOs.MacOs
        : OperatingSystem.IsWindows() ? HostOs.Windows
        : HostOs.Other;
}
