using DataPlatform.Build.Frosting;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Toolchain;
using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Tests.Toolchain;

/// <summary>The pure pieces of EnsureTools: asset names per platform, mirror rewriting, versions, checksum files, pins.</summary>
public class ToolchainPureTests
{
    // The pins of tools.yaml: the assets EnsureTools would really download.
    static readonly ToolVersion Kind = PinnedTools.Pins.Kind.Version, Kubectl = PinnedTools.Pins.Kubectl.Version, Helm = PinnedTools.Pins.Helm.Version,
        Helmfile = PinnedTools.Pins.Helmfile.Version, HelmDiff = PinnedTools.Pins.HelmDiff.Version;

    [Theory]
    [InlineData("linux", "amd64")]
    [InlineData("linux", "arm64")]
    [InlineData("darwin", "amd64")]
    [InlineData("darwin", "arm64")]
    public void Each_platform_downloads_its_own_upstream_assets(string os, string arch)
    {
        var p = new HostPlatform(os, arch);

        Assert.Equal($"https://kind.sigs.k8s.io/dl/{Kind}/kind-{os}-{arch}", ToolAssets.Kind(Kind, p).Url.ToString());
        Assert.Equal($"https://kind.sigs.k8s.io/dl/{Kind}/kind-{os}-{arch}.sha256sum", ToolAssets.Kind(Kind, p).ChecksumUrl.ToString());
        Assert.Equal($"https://dl.k8s.io/release/{Kubectl}/bin/{os}/{arch}/kubectl", ToolAssets.Kubectl(Kubectl, p).Url.ToString());
        Assert.Equal($"https://dl.k8s.io/release/{Kubectl}/bin/{os}/{arch}/kubectl.sha256", ToolAssets.Kubectl(Kubectl, p).ChecksumUrl.ToString());
        var helm = ToolAssets.Helm(Helm, p);
        Assert.Equal($"https://get.helm.sh/helm-{Helm}-{os}-{arch}.tar.gz", helm.Url.ToString());
        Assert.Equal($"https://get.helm.sh/helm-{Helm}-{os}-{arch}.tar.gz.sha256sum", helm.ChecksumUrl.ToString());
        Assert.Equal($"{os}-{arch}/helm", helm.ArchiveMember);
        var helmfile = ToolAssets.Helmfile(Helmfile, p);
        Assert.Equal($"https://github.com/helmfile/helmfile/releases/download/{Helmfile}/helmfile_{PinnedTools.Bare(Helmfile)}_{os}_{arch}.tar.gz", helmfile.Url.ToString());
        Assert.Equal($"https://github.com/helmfile/helmfile/releases/download/{Helmfile}/helmfile_{PinnedTools.Bare(Helmfile)}_checksums.txt", helmfile.ChecksumUrl.ToString());
        Assert.Equal($"helmfile_{PinnedTools.Bare(Helmfile)}_{os}_{arch}.tar.gz", helmfile.FileName);
        // helm-diff's release names macOS "macos", not "darwin".
        var diffOs = os == "darwin" ? "macos" : "linux";
        var diff = ToolAssets.HelmDiff(HelmDiff, p);
        Assert.Equal($"https://github.com/databus23/helm-diff/releases/download/{HelmDiff}/helm-diff-{diffOs}-{arch}.tgz", diff.Url.ToString());
        Assert.Equal($"https://github.com/databus23/helm-diff/releases/download/{HelmDiff}/helm-diff_{PinnedTools.Bare(HelmDiff)}_checksums.txt", diff.ChecksumUrl.ToString());
    }

    [Theory]
    [InlineData("https://get.helm.sh/helm-v4.0.9-linux-amd64.tar.gz", "http://127.0.0.1:8080", "http://127.0.0.1:8080/helm-v4.0.9-linux-amd64.tar.gz")]
    [InlineData("https://kind.sigs.k8s.io/dl/v0.29.7/kind-linux-amd64", "https://mirror.corp.example/", "https://mirror.corp.example/dl/v0.29.7/kind-linux-amd64")]
    [InlineData("https://dl.k8s.io/release/v1.30.9/bin/linux/amd64/kubectl.sha256", "https://artifacts.corp.example:8443/tools-remote", "https://artifacts.corp.example:8443/tools-remote/release/v1.30.9/bin/linux/amd64/kubectl.sha256")]
    [InlineData("https://github.com/helmfile/helmfile/releases/download/v1.1.9/helmfile_1.1.9_checksums.txt", "http://m.local/a/b/", "http://m.local/a/b/helmfile/helmfile/releases/download/v1.1.9/helmfile_1.1.9_checksums.txt")]
    public void The_mirror_replaces_scheme_and_host_and_keeps_the_path(string upstream, string mirror, string expected) =>
        Assert.Equal(expected, MirrorUrl.Apply(new Uri(upstream), mirror).ToString());

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Without_a_mirror_the_upstream_url_is_used(string? mirror) =>
        Assert.Equal("https://get.helm.sh/x.tar.gz", MirrorUrl.Apply(new Uri("https://get.helm.sh/x.tar.gz"), mirror).ToString());

    [Fact]
    public void A_mirror_that_is_not_an_http_url_is_refused_with_the_variable_named()
    {
        var e = Assert.Throws<BuildFailure>(() => MirrorUrl.Apply(new Uri("https://get.helm.sh/x"), "ftp://mirror"));
        Assert.Contains("DATA_PLATFORM_TOOLS_MIRROR", e.Message);
    }

    [Theory]
    [InlineData("kind v0.29.7 go1.25.1 linux/amd64", "v0.29.7")]
    [InlineData("Client Version: v1.30.9\nKustomize Version: v5.7.1", "v1.30.9")]
    [InlineData("v4.0.9+g0123abc", "v4.0.9")]
    [InlineData("v3.22.0+gfe51cd1", "v3.22.0")]
    [InlineData("1.1.9\n", "v1.1.9")]
    [InlineData("Client Version: v1.32.4-dispatcher", "v1.32.4")]
    public void Versions_are_read_from_what_each_tool_prints(string output, string expected) =>
        Assert.Equal(expected, ToolVersion.Parse(output).ToString());

    [Theory]
    [InlineData("")]
    [InlineData("command not found")]
    [InlineData("go1.25.1")]
    public void Output_without_a_version_is_not_a_version(string output) => Assert.False(ToolVersion.TryParse(output, out _));

    [Fact]
    public void A_copy_on_path_is_accepted_from_the_minimum_on()
    {
        // tools.yaml's own pins: helm's minimum is a Helm 3, so an older major at or above it is accepted too.
        foreach (var pin in PinnedTools.Pins.Binaries.Where(p => p.Minimum is not null))
        {
            var minimum = pin.Minimum!;
            Assert.True(pin.Accepts(minimum), $"{pin.Name} {minimum}");
            Assert.True(pin.Accepts(minimum with { Patch = minimum.Patch + 1 }), $"{pin.Name} above {minimum}");
            Assert.True(pin.Accepts(pin.Version), $"{pin.Name} {pin.Version}");
            Assert.True(pin.Accepts(pin.Version with { Minor = pin.Version.Minor + 1 }), $"{pin.Name} newer than {pin.Version}");
            var below = minimum.Patch > 0 ? minimum with { Patch = minimum.Patch - 1 }
                : minimum.Minor > 0 ? minimum with { Minor = minimum.Minor - 1, Patch = 99 }
                : new ToolVersion(minimum.Major - 1, 99, 99);
            Assert.False(pin.Accepts(below), $"{pin.Name} {below}, below the minimum {minimum}");
        }
    }

    [Fact]
    public void Without_a_minimum_only_the_pin_or_newer_is_accepted()
    {
        var pin = new ToolPin("t", new ToolVersion(0, 33, 0), null);
        Assert.True(pin.Accepts(new ToolVersion(0, 33, 0)));
        Assert.False(pin.Accepts(new ToolVersion(0, 32, 9)));
    }

    const string Hash = "8e7ae5cb890c56f53713bffec38e41cd8e7e4619ebe56f8b31cd383bfb3dbb83";
    const string Other = "81315e404b6d09b65bee577a679ab269d6d44652ef2e1f66a8f922b51ca93f6b";

    [Theory]
    [InlineData(Hash, "kubectl")]                                         // kubectl .sha256: the hash only
    [InlineData(Hash + "\n", "kubectl")]
    [InlineData(Hash + "  kind-linux-amd64\n", "kind-linux-amd64")]      // kind / helm .sha256sum
    [InlineData(Other + "  helmfile_1.1.9_darwin_arm64.tar.gz\n" + Hash + "  helmfile_1.1.9_linux_amd64.tar.gz\n", "helmfile_1.1.9_linux_amd64.tar.gz")]
    [InlineData(Hash + " *bin/helm-diff-linux-amd64.tgz", "helm-diff-linux-amd64.tgz")]   // binary-mode marker, folder prefix
    public void The_hash_for_the_download_is_read_from_each_checksum_format(string text, string fileName) =>
        Assert.Equal(Hash, ChecksumFile.Find(text, fileName));

    [Fact]
    public void A_checksum_list_without_the_download_yields_nothing()
    {
        Assert.Null(ChecksumFile.Find(Other + "  helmfile_1.1.9_darwin_arm64.tar.gz\n", "helmfile_1.1.9_linux_amd64.tar.gz"));
        Assert.Null(ChecksumFile.Find("<html>Not Found</html>", "kubectl"));
        Assert.Equal(Hash, ChecksumFile.Find(Hash.ToUpperInvariant(), "kubectl"));
    }

    [Fact]
    public void The_pin_file_pins_every_tool_with_a_consistent_minimum()
    {
        var pins = InstallerScenario.RepositoryPins;
        Assert.Equal(["kind", "kubectl", "helm", "helmfile"], pins.Binaries.Select(p => p.Name));
        Assert.Equal("helm-diff", pins.HelmDiff.Name);
        // The floor is where it says: the oldest accepted copy passes and the patch release just below it does not.
        Assert.All(pins.Binaries, pin =>
        {
            var floor = pin.Minimum ?? pin.Version;
            Assert.True(pin.Accepts(floor), $"{pin.Name} must accept {floor}");
            if (floor.Patch > 0) Assert.False(pin.Accepts(floor with { Patch = floor.Patch - 1 }), $"{pin.Name} must refuse below {floor}");
            else if (floor.Minor > 0) Assert.False(pin.Accepts(new ToolVersion(floor.Major, floor.Minor - 1, 99)), $"{pin.Name} must refuse below {floor}");
        });
    }

    [Fact]
    public void A_pin_below_its_minimum_is_refused_naming_both()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "tools.yaml");
        File.WriteAllText(path, "kind: { version: v0.29.7 }\nkubectl: { version: v1.30.9, minimum: v1.37.0 }\nhelm: { version: v4.0.9 }\nhelmfile: { version: v1.1.9 }\nhelm-diff: { version: v3.15.11 }\n");
        var e = Assert.Throws<ConfigFileException>(() => ToolPins.Load(path));
        Assert.StartsWith("tools.yaml:", e.Message);
        Assert.Contains("kubectl.minimum (v1.37.0) is newer than kubectl.version (v1.30.9)", e.Message);
    }

    [Fact]
    public void A_pin_file_missing_a_tool_names_the_file_and_the_tool()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "tools.yaml");
        File.WriteAllText(path, "kind: { version: v0.29.7 }\nkubectl: { version: v1.30.9 }\nhelm: { version: v4.0.9 }\nhelm-diff: { version: v3.15.11 }\n");
        var e = Assert.Throws<ConfigFileException>(() => ToolPins.Load(path));
        Assert.StartsWith("tools.yaml:", e.Message);
        Assert.Contains("has no `helmfile: { version: vX.Y.Z }` entry", e.Message);
    }

    [Fact]
    public void A_pin_whose_version_does_not_parse_names_the_file_and_the_field()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "tools.yaml");
        File.WriteAllText(path, "kind: { version: v0.29.7 }\nkubectl: { version: v1.30.9 }\nhelm: { version: v4.0.9 }\nhelmfile: { version: nope }\nhelm-diff: { version: v3.15.11 }\n");
        var e = Assert.Throws<ConfigFileException>(() => ToolPins.Load(path));
        Assert.StartsWith("tools.yaml:", e.Message);
        Assert.Contains("helmfile.version 'nope'", e.Message);
    }

    [Fact]
    public void Every_version_probe_is_read_only_and_kubectl_and_helm_name_the_platform_context()
    {
        Assert.Equal(["--context", "kind-data-platform", "version", "--client"], ToolInstaller.VersionCommand("kubectl", "/x/kubectl", "kind-data-platform").Arguments);
        Assert.Equal(["--kube-context", "kind-data-platform", "version", "--short"], ToolInstaller.VersionCommand("helm", "/x/helm", "kind-data-platform").Arguments);
        Assert.Equal(["--kube-context", "kind-data-platform", "version", "-o", "short"], ToolInstaller.VersionCommand("helmfile", "/x/helmfile", "kind-data-platform").Arguments);
        Assert.Equal(["version"], ToolInstaller.VersionCommand("kind", "/x/kind", "kind-data-platform").Arguments);
        Assert.All(new[] { "kind", "kubectl", "helm", "helmfile" }, tool =>
        {
            var command = ToolInstaller.VersionCommand(tool, "/x/" + tool, "kind-data-platform");
            Assert.False(command.Mutating);
            Assert.True(command.AllowFailure);
        });
    }
}
