using DataPlatform.Build.Host;
using DataPlatform.Build.Process;
using DataPlatform.Build.Tests.Platform;

namespace DataPlatform.Build.Tests.Host;

/// <summary>The real `docker info --format '{{json .}}'` outputs the stand-in docker answers with (tests/standins/docker-info).</summary>
internal static class CapturedEngines
{
    public static string Json(string engine) => File.ReadAllText(RepoRoot.File("tests", "standins", "docker-info", engine + ".json"));

    public static DockerInfo Info(string engine) => DockerInfo.Parse(Json(engine)) ?? throw new InvalidOperationException($"{engine}.json does not parse");

    public static ToolResult Answer(string engine) => new(0, Json(engine), "");

    /// <summary>
    /// The OS the build runs on with each engine. With Docker Desktop on Windows the build runs inside a WSL2 distro,
    /// a Linux; with Docker Desktop on macOS, on macOS.
    /// </summary>
    public static HostOs OsOf(string engine) => engine == "desktop-macos" ? HostOs.MacOs : HostOs.Linux;

    public static readonly TheoryData<string> All = new() { "linux-rootful", "desktop-macos", "desktop-wsl2", "rootless", "podman" };
}
