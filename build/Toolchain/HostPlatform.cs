using System.Runtime.InteropServices;
using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.Toolchain;

/// <summary>The OS and architecture as the upstream download URLs spell them (Go's GOOS/GOARCH): linux|darwin, amd64|arm64.</summary>
internal sealed record HostPlatform(string Os, string Arch)
{
    public static readonly HostPlatform[] Supported =
        [new("linux", "amd64"), new("linux", "arm64"), new("darwin", "amd64"), new("darwin", "arm64")];

    public static HostPlatform Current()
    {
        var os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "darwin" : null;
        var arch = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "amd64",
            Architecture.Arm64 => "arm64",
            _ => null,
        };
        if (os is null || arch is null)
            throw new BuildFailure($"EnsureTools installs tools on Linux and macOS (amd64 or arm64) only; this machine is {RuntimeInformation.OSDescription} " +
                $"({RuntimeInformation.OSArchitecture}). Install kind, kubectl, helm, helmfile and the helm-diff plugin at the versions in tools.yaml by hand.");
        return new HostPlatform(os, arch);
    }

    public override string ToString() => $"{Os}/{Arch}";
}
