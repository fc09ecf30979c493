using DataPlatform.Build.Tests.EndToEnd;
using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Tests.Verify;
using static DataPlatform.Build.TrustCa.TrustCaService;

namespace DataPlatform.Build.Tests.TrustCa;

/// <summary>TrustCA: the per-OS commands (pure), and the real ./build.sh writing the CA the fake cluster's trust bundle holds.</summary>
public sealed class TrustCaTests(CompiledBuildRoot build) : IClassFixture<CompiledBuildRoot>
{
    const string File_ = "/home/me/platform/.artifacts/data-platform-ca.crt";

    [Theory]
    [InlineData("MacOs", "sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain " + File_)]
    [InlineData("Debian", "sudo cp " + File_ + " /usr/local/share/ca-certificates/data-platform-ca.crt && sudo update-ca-certificates")]
    [InlineData("Fedora", "sudo cp " + File_ + " /etc/pki/ca-trust/source/anchors/data-platform-ca.crt && sudo update-ca-trust")]
    [InlineData("Windows", "certutil -addstore -f Root " + File_)]
    public void Each_system_gets_its_exact_command(string os, string expected)
    {
        Assert.StartsWith(expected, Assert.Single(Commands(File_, Enum.Parse<OperatingSystemKind>(os), null)));
    }

    [Fact]
    public void Under_WSL_the_Windows_command_names_the_file_through_wsl_localhost()
    {
        var commands = Commands(File_, OperatingSystemKind.Debian, "Ubuntu-24.04");

        Assert.Contains(commands, c => c.Contains(@"certutil -addstore -f Root \\wsl.localhost\Ubuntu-24.04\home\me\platform\.artifacts\data-platform-ca.crt"));
    }

    [Theory]
    [InlineData("ID=ubuntu\nID_LIKE=debian\n", "Debian")]
    [InlineData("ID=debian\n", "Debian")]
    [InlineData("ID=fedora\n", "Fedora")]
    [InlineData("ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n", "Fedora")]
    [InlineData("ID=arch\n", "OtherLinux")]
    [InlineData(null, "OtherLinux")]
    public void The_distribution_family_comes_from_os_release(string? osRelease, string expected)
    {
        Assert.Equal(Enum.Parse<OperatingSystemKind>(expected), Detect(osRelease));
    }

    [Fact]
    public async Task TrustCA_writes_the_bundles_CA_and_prints_how_to_trust_it_without_installing_anything()
    {
        await using var api = await FakeKubeApi.StartAsync();
        using var machine = new Scenario(build) { ApiServer = api.Url };
        using var ca = TestCertificates.Ca("data-platform-ca");
        var cluster = new ClusterScenario { BundlePem = ca.ExportCertificatePem() + "\n" };
        cluster.ServeFrom(api);
        await machine.GivenPlatformClusterAsync();
        var output = Path.Combine(machine.Home, "out", "ca.crt");

        var run = await machine.RunBuildAsync("--target=TrustCA", $"--output={output}");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(cluster.BundlePem, File.ReadAllText(output));
        Assert.Contains("CN=data-platform-ca", run.Text);
        Assert.Contains($"CURL_CA_BUNDLE={output}", run.Squashed);
        Assert.Contains($"REQUESTS_CA_BUNDLE={output}", run.Squashed);
        Assert.Contains($"SSL_CERT_FILE={output}", run.Squashed);
        Assert.Contains("Nothing was installed", run.Text);
        Assert.DoesNotContain(run.Calls, c => c.IsMutating);
    }

    [Fact]
    public async Task A_trust_bundle_without_a_certificate_fails_naming_it()
    {
        await using var api = await FakeKubeApi.StartAsync();
        using var machine = new Scenario(build) { ApiServer = api.Url };
        new ClusterScenario { BundlePem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" }.ServeFrom(api);
        await machine.GivenPlatformClusterAsync();

        var run = await machine.RunBuildAsync("--target=TrustCA", $"--output={Path.Combine(machine.Home, "ca.crt")}");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("holds no PEM certificate", run.Text);
        Assert.False(run.HasStackTrace, run.ToString());
    }
}
