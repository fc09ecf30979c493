using DataPlatform.Build.Frosting;
using DataPlatform.Build.Kube;
using DataPlatform.Build.MetalLb;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tests.Process;
using DataPlatform.Build.Tools;
using DataPlatform.Build.Verify;
using k8s.Models;

namespace DataPlatform.Build.Tests.MetalLb;

public class MetalLbRangeTests
{
    [Theory]
    [InlineData("172.18.0.0/16", "172.18.255.245-172.18.255.254")] // kind's default network
    [InlineData("10.89.0.0/20", "10.89.15.245-10.89.15.254")]
    [InlineData("192.168.49.0/24", "192.168.49.245-192.168.49.254")]
    [InlineData("192.168.49.64/26", "192.168.49.117-192.168.49.126")]
    [InlineData("172.18.5.7/16", "172.18.255.245-172.18.255.254")] // not the network base: masked first
    [InlineData("192.168.49.77/26", "192.168.49.117-192.168.49.126")]
    public void Range_is_the_ten_usable_addresses_below_broadcast(string subnet, string expected) =>
        Assert.Equal(expected, MetalLbRange.FromSubnet(subnet));

    [Theory]
    [InlineData("192.168.49.16/28", "too small to share")]                 // 14 usable: the pool would overlap the nodes
    [InlineData("192.168.49.0/27", "Give the kind network a /26 or larger")]
    [InlineData("192.168.49.8/29", "6 usable addresses")]
    [InlineData("192.168.49.8/32", "0 usable addresses")]
    [InlineData("fc00:f853:ccd:e793::/64", "IPv6")]
    [InlineData("not-a-subnet", "not an IPv4 CIDR")]
    [InlineData("10.0.0.0/33", "invalid prefix")]
    [InlineData("10.0.0/16", "not an IPv4 CIDR")]
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
    [InlineData("172.18.255.245-172.18.255.254", "172.18.255.245", true)]
    [InlineData("172.18.255.245-172.18.255.254", "172.18.255.254", true)]
    [InlineData("172.18.255.245-172.18.255.254", "172.18.255.244", false)]
    [InlineData("172.18.255.245-172.18.255.254", "172.18.255.255", false)]
    [InlineData("172.18.255.245-172.18.255.254", "fc00::1", false)]
    [InlineData("172.18.255.245 - 172.18.255.254", "172.18.255.250", true)] // MetalLB trims around the dash
    [InlineData("172.18.255.240/28", "172.18.255.245", true)]               // the CIDR form Verify used to refuse
    [InlineData("172.18.255.240/28", "172.18.255.240", true)]
    [InlineData("172.18.255.240/28", "172.18.255.255", true)]
    [InlineData("172.18.255.240/28", "172.18.255.239", false)]
    [InlineData("172.18.255.240/28", "172.18.256.1", false)]
    [InlineData("1.2.3.4-", "1.2.3.4", false)]                               // not a range: contains nothing
    public void Contains_checks_the_inclusive_range_in_both_forms(string range, string ip, bool expected) =>
        Assert.Equal(expected, MetalLbRange.Contains(range, ip));

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("1.2.3.4-", "has no end address after '-'")]
    [InlineData("-1.2.3.4", "has no start address before '-'")]
    [InlineData("1.2.3.9-1.2.3.4", "starts at 1.2.3.9, after its end 1.2.3.4: write the lower address first (1.2.3.4-1.2.3.9)")]
    [InlineData("1.2.3-1.2.3.4", "starts with '1.2.3', which is not an IPv4 address")]
    [InlineData("1.2.3.4-1.2.3.256", "ends with '1.2.3.256', which is not an IPv4 address")]
    [InlineData("01.2.3.4-1.2.3.5", "starts with '01.2.3.4'")]   // Go (MetalLB) refuses leading zeros
    [InlineData("0x1.2.3.4/32", "is not an IPv4 address")]
    [InlineData("1.2.3.4/", "has '/' as its prefix length")]
    [InlineData("1.2.3.4/33", "has '/33' as its prefix length")]
    [InlineData("1.2.3.4/-1", "has '/-1' as its prefix length")]
    [InlineData("1.2.3.4", "is a single address; MetalLB wants a range: write 1.2.3.4-1.2.3.4 or 1.2.3.4/32")]
    [InlineData("fc00::1-fc00::9", "is IPv6")]
    [InlineData("172.18.255.245..254", "is not a range")]
    public void Ranges_MetalLB_would_refuse_are_refused_with_the_reason(string text, string reason)
    {
        Assert.False(AddressRange.TryParse(text, out _, out var problem));
        Assert.Contains(reason, problem);
    }

    // Property-style: many random ranges, from a fixed seed so a failure reproduces.
    [Fact]
    public void Any_first_last_range_round_trips_and_contains_exactly_its_ends()
    {
        var random = new Random(20261125);
        for (var i = 0; i < 2000; i++)
        {
            var (a, b) = (RandomAddress(random), RandomAddress(random));
            if (a > b) (a, b) = (b, a);
            var text = $"{AddressRange.Format(a)}-{AddressRange.Format(b)}";
            Assert.True(AddressRange.TryParse(text, out var range, out var problem), $"{text}: {problem}");
            Assert.Equal((a, b), (range.First, range.Last));
            Assert.Equal(text, range.ToString());
            Assert.True(range.Contains(AddressRange.Format(a)) && range.Contains(AddressRange.Format(b)));
            if (a > 0) Assert.False(range.Contains(a - 1));
            if (b < uint.MaxValue) Assert.False(range.Contains(b + 1));
        }
    }

    [Fact]
    public void Any_range_written_backwards_is_refused()
    {
        var random = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var (a, b) = (RandomAddress(random), RandomAddress(random));
            if (a == b) continue;
            var (high, low) = a > b ? (a, b) : (b, a);
            Assert.False(AddressRange.TryParse($"{AddressRange.Format(high)}-{AddressRange.Format(low)}", out _, out var problem));
            Assert.Contains("after its end", problem);
        }
    }

    [Fact]
    public void Any_CIDR_round_trips_and_covers_its_whole_block_whatever_host_bits_it_carries()
    {
        var random = new Random(42);
        for (var i = 0; i < 2000; i++)
        {
            var prefix = random.Next(0, 33);
            var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
            var address = RandomAddress(random);
            var network = address & mask;
            var text = $"{AddressRange.Format(network)}/{prefix}";

            var range = AddressRange.Parse(text);
            Assert.Equal(text, range.ToString());
            Assert.Equal((network, network | ~mask), (range.First, range.Last));
            Assert.Equal(1UL << (32 - prefix), range.Count);
            Assert.Equal(range, AddressRange.Parse($"{AddressRange.Format(address)}/{prefix}")); // as Go's ParseCIDR: masked
            Assert.True(range.Contains(address));
        }
    }

    [Fact]
    public void The_computed_range_always_lies_inside_its_subnet()
    {
        var random = new Random(3);
        for (var i = 0; i < 500; i++)
        {
            var subnet = $"{AddressRange.Format(RandomAddress(random))}/{random.Next(8, 27)}";   // every prefix the build accepts
            Assert.True(AddressRange.Parse(MetalLbRange.FromSubnet(subnet)).IsInside(AddressRange.Parse(subnet)), subnet);
        }
    }

    static uint RandomAddress(Random random) => (uint)random.NextInt64(0, 1L << 32);

    // ── MetalLbService with a preset range (the stand-in runner answers as `docker network inspect` would) ──

    static PlatformEnvironment Preset(string range) =>
        PlatformEnvironment.Load(Directory.CreateTempSubdirectory().FullName, k => k == "METALLB_IP_RANGE" ? range : null);

    [Theory]
    [InlineData("172.18.255.200-172.18.255.210")]
    [InlineData("172.18.255.240/28")]
    public async Task A_preset_range_inside_the_kind_network_wins(string preset)
    {
        var runner = new RecordingRunner().Answer(0, "172.18.0.0/16 fc00:f853:ccd:e793::/64");
        var (range, source) = await new MetalLbService(new Docker(runner), Preset(preset)).ResolveAsync(default);
        Assert.Equal((preset, "METALLB_IP_RANGE"), (range, source));
    }

    [Fact]
    public async Task A_preset_range_outside_the_kind_network_names_the_variable_the_range_and_the_subnet()
    {
        var runner = new RecordingRunner().Answer(0, "172.18.0.0/16 fc00:f853:ccd:e793::/64");
        var error = await Assert.ThrowsAsync<BuildFailure>(() => new MetalLbService(new Docker(runner), Preset("10.0.0.1-10.0.0.5")).ResolveAsync(default));
        Assert.Contains("METALLB_IP_RANGE=10.0.0.1-10.0.0.5 is not inside the docker network 'kind' subnet 172.18.0.0/16", error.Message);
        Assert.Contains("172.18.255.245-172.18.255.254", error.Message); // what the build would compute instead
    }

    [Fact]
    public async Task A_preset_range_crossing_the_subnet_end_is_refused()
    {
        var runner = new RecordingRunner().Answer(0, "172.18.0.0/16");
        await Assert.ThrowsAsync<BuildFailure>(() => new MetalLbService(new Docker(runner), Preset("172.18.255.250-172.19.0.5")).ResolveAsync(default));
    }

    [Fact]
    public async Task A_malformed_preset_range_never_reaches_helmfile()
    {
        var runner = new RecordingRunner();
        var error = await Assert.ThrowsAsync<BuildFailure>(() => new MetalLbService(new Docker(runner), Preset("1.2.3.4-")).ResolveAsync(default));
        Assert.Contains("METALLB_IP_RANGE=1.2.3.4- has no end address", error.Message);
        Assert.Empty(runner.Commands);
    }

    [Fact]
    public async Task Without_a_kind_network_yet_a_preset_range_is_taken_as_is()
    {
        var runner = new RecordingRunner().Answer(1, "", "Error response from daemon: network kind not found");
        var (range, _) = await new MetalLbService(new Docker(runner), Preset("10.0.0.1-10.0.0.5")).ResolveAsync(default);
        Assert.Equal("10.0.0.1-10.0.0.5", range);
        Assert.Single(runner.Commands); // asked once, read-only
        Assert.False(runner.Commands[0].Mutating);
    }

    // ── Verify's LoadBalancers check reads the range the same way ──

    static V1Service LoadBalancer(string ip) => new()
    {
        Metadata = new V1ObjectMeta { Name = "traefik", NamespaceProperty = "traefik" },
        Spec = new V1ServiceSpec { Type = "LoadBalancer" },
        Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = [new V1LoadBalancerIngress { Ip = ip }] } },
    };

    [Theory]
    [InlineData("172.18.255.240/28", "172.18.255.245", true)]
    [InlineData("172.18.255.240/28", "172.18.254.245", false)]
    [InlineData("172.18.255.245-172.18.255.254", "172.18.255.245", true)]
    public void Verify_accepts_an_address_inside_either_form_of_range(string range, string ip, bool passes)
    {
        var result = Assert.Single(ClusterChecks.LoadBalancers(new ClusterState { Services = [LoadBalancer(ip)] }, range));
        Assert.Equal(passes, result.Passed);
    }

    [Fact]
    public void Verify_says_when_the_range_itself_cannot_be_read()
    {
        var result = Assert.Single(ClusterChecks.LoadBalancers(new ClusterState { Services = [LoadBalancer("1.2.3.4")] }, "1.2.3.4-"));
        Assert.False(result.Passed);
        Assert.Contains("the MetalLB range '1.2.3.4-' has no end address", result.Detail);
    }
}
