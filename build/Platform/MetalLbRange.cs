namespace DataPlatform.Build.Platform;

/// <summary>
/// The MetalLB pool: the ten usable addresses just below the broadcast address
/// of the kind network's IPv4 subnet (172.18.0.0/16 → 172.18.255.245-172.18.255.254).
/// </summary>
internal static class MetalLbRange
{
    const int Size = 10;
    /// <summary>64 addresses: room below the pool for the nodes, the mirrors and the proxy, with margin.</summary>
    const ulong SmallestSubnet = 64;
    const int SmallestPrefix = 26;

    /// <summary>Picks the IPv4 subnet out of the network's IPAM subnets (kind's network also has an IPv6 one).</summary>
    public static string SelectIPv4Subnet(IEnumerable<string> subnets, string network)
    {
        var all = subnets.ToList();
        if (all.Count == 0) throw new MetalLbRangeException($"docker network '{network}' has no subnet.");
        return all.FirstOrDefault(s => !s.Contains(':'))
            ?? throw new MetalLbRangeException(
                $"docker network '{network}' is IPv6-only ({string.Join(", ", all)}); MetalLB here needs an IPv4 subnet. " +
                "Delete the network (./build.sh --target=Clean, then docker network rm kind) so kind recreates it with IPv4, or set METALLB_IP_RANGE.");
    }

    public static string FromSubnet(string cidr)
    {
        if (cidr.Contains(':'))
            throw new MetalLbRangeException($"'{cidr}' is IPv6; MetalLB's range here is computed from the IPv4 subnet.");
        if (!cidr.Contains('/'))
            throw new MetalLbRangeException($"'{cidr}' is not an IPv4 CIDR such as 172.18.0.0/16.");
        if (!AddressRange.TryParse(cidr, out var subnet, out var problem))
            throw new MetalLbRangeException(problem.Contains("prefix length")
                ? $"'{cidr}' has an invalid prefix length: {problem}."
                : $"'{cidr}' is not an IPv4 CIDR such as 172.18.0.0/16.");

        var usable = (long)subnet.Count - 2;
        if (usable < Size)
            throw new MetalLbRangeException($"subnet {cidr} has {Math.Max(usable, 0)} usable addresses; MetalLB needs {Size} (a /{SmallestPrefix} or larger), or set METALLB_IP_RANGE.");
        // Docker hands out a network's addresses from the bottom: the nodes, the image cache's mirrors and the access
        // proxy. In a /28 (14 usable) the last ten overlap them, and an address in both is answered by two hosts.
        if (subnet.Count < SmallestSubnet)
            throw new MetalLbRangeException(
                $"subnet {cidr} is too small to share: its last {Size} addresses would overlap the ones Docker hands out to the kind nodes, " +
                $"the image cache's mirrors and the access proxy. Give the kind network a /{SmallestPrefix} or larger " +
                "(./build.sh --target=Clean, docker network rm kind, then docker network create kind --subnet <a /26 or larger>), " +
                "or set METALLB_IP_RANGE to addresses of it Docker has not handed out.");
        // The block, not the address docker printed: docker does not promise to print the network base.
        return new AddressRange(subnet.Last - Size, subnet.Last - 1, null).ToString();
    }

    /// <summary>The computed range, or null when the subnet is too small to compute one (for suggestions in messages).</summary>
    public static string? FromSubnetOrNull(string cidr)
    {
        try { return FromSubnet(cidr); }
        catch (MetalLbRangeException) { return null; }
    }

    /// <summary>True when the address lies inside the range, in any form MetalLB accepts (first-last or CIDR).</summary>
    public static bool Contains(string range, string ip) =>
        AddressRange.TryParse(range, out var parsed, out _) && parsed.Contains(ip);
}

internal sealed class MetalLbRangeException(string message) : Exception(message);
