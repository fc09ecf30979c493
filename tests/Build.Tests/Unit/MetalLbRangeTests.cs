using DataPlatform.Build.Platform;

namespace DataPlatform.Build.Tests.Unit;

public class MetalLbRangeTests
{
    [Theory]
    [InlineData("172.18.0.0/16", "172.18.255.245-172.18.255.254")] // the seed's example
    [InlineData("10.89.0.0/20", "10.89.15.245-10.89.15.254")]
    [InlineData("192.168.49.0/24", "192.168.49.245-192.168.49.254")]
    [InlineData("192.168.49.64/26", "192.168.49.117-192.168.49.126")]
    [InlineData("192.168.49.16/28", "192.168.49.21-192.168.49.30")]
    [InlineData("172.18.5.7/16", "172.18.255.245-172.18.255.254")] // not the network base: masked first
    [InlineData("192.168.49.77/26", "192.168.49.117-192.168.49.126")]
    public void Range_is_the_ten_usable_addresses_below_broadcast(string subnet, string expected) =>
        Assert.Equal(expected, MetalLbRange.FromSubnet(subnet));

    [Theory]
    [InlineData("192.168.49.8/29", "6 usable addresses")]
    [InlineData("192.168.49.8/32", "0 usable addresses")]
    [InlineData("fc00:f853:ccd:e793::/64", "IPv6")]
    [InlineData("not-a-subnet", "not an IPv4 CIDR")]
    [InlineData("10.0.0.0/33", "invalid prefix")]
    public void Unusable_subnets_are_refused_with_the_reason(string subnet, string reason)
    {
        var error = Assert.Throws<MetalLbRangeException>(() => MetalLbRange.FromSubnet(subnet));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void The_IPv4_subnet_is_chosen_and_IPv6_ignored() =>
        Assert.Equal("172.18.0.0/16", MetalLbRange.SelectIPv4Subnet(["fc00:f853:ccd:e793::/64", "172.18.0.0/16"], "kind"));

    [Fact]
    public void An_IPv6_only_network_is_refused_with_what_to_do()
    {
        var error = Assert.Throws<MetalLbRangeException>(() => MetalLbRange.SelectIPv4Subnet(["fc00:f853:ccd:e793::/64"], "kind"));
        Assert.Contains("IPv6-only", error.Message);
        Assert.Contains("METALLB_IP_RANGE", error.Message);
    }

    [Fact]
    public void A_network_without_subnets_is_refused() =>
        Assert.Throws<MetalLbRangeException>(() => MetalLbRange.SelectIPv4Subnet([], "kind"));

    [Theory]
    [InlineData("172.18.255.245", true)]
    [InlineData("172.18.255.254", true)]
    [InlineData("172.18.255.244", false)]
    [InlineData("172.18.255.255", false)]
    [InlineData("fc00::1", false)]
    public void Contains_checks_the_inclusive_range(string ip, bool expected) =>
        Assert.Equal(expected, MetalLbRange.Contains("172.18.255.245-172.18.255.254", ip));
}
