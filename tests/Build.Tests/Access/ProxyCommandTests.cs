using DataPlatform.Build.Tools;

namespace DataPlatform.Build.Tests.Access;

/// <summary>The argv of the access proxy's docker commands: what --plan prints and what must never change on the user's machine.</summary>
public class ProxyCommandTests
{
    [Fact]
    public void The_proxy_publishes_on_loopback_only_joins_the_kind_network_and_is_a_mutating_command()
    {
        var run = Docker.ProxyRunCommand("data-platform-access-proxy", "data-platform", "kind", "haproxy:x@sha256:1", "abc", [(443, 20000), (5432, 20001)], "cfg");

        Assert.True(run.Mutating);
        var argv = run.Arguments.ToList();
        Assert.Equal(["127.0.0.1:443:20000", "127.0.0.1:5432:20001"], argv.Select((a, i) => (a, i)).Where(p => p.i > 0 && argv[p.i - 1] == "--publish").Select(p => p.a));
        Assert.Equal("kind", argv[argv.IndexOf("--network") + 1]);
        Assert.Contains($"{Docker.ProxyOwnerLabel}=data-platform", argv);
        Assert.Contains($"{Docker.ProxyConfigLabel}=abc", argv);
        Assert.Contains($"{Docker.ProxyPortsLabel}=443,5432", argv);
        Assert.Contains("HAPROXY_CONFIG=cfg", argv);
    }

    [Fact]
    public void Listing_reads_only_and_finds_the_proxy_by_its_owner_label_removing_is_mutating()
    {
        var list = Docker.ProxyListCommand("data-platform");
        Assert.False(list.Mutating);
        Assert.Equal(["ps", "--all", "--filter", $"{"label="}{Docker.ProxyOwnerLabel}=data-platform"], list.Arguments.Take(4));

        var remove = Docker.ProxyRemoveCommand("data-platform-access-proxy");
        Assert.True(remove.Mutating);
        Assert.Equal(["rm", "--force", "data-platform-access-proxy"], remove.Arguments);
    }
}
