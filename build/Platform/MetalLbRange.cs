using System.Net;
using System.Net.Sockets;

namespace DataPlatform.Build.Platform;

/// <summary>
/// The seed's last10range.sh, with the checks it lacked: the ten usable addresses just below the broadcast address
/// of the kind network's IPv4 subnet (172.18.0.0/16 → 172.18.255.245-172.18.255.254).
/// </summary>
public static class MetalLbRange
{
    const int Size = 10;

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
        var slash = cidr.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(cidr[..slash], out var address) || !int.TryParse(cidr[(slash + 1)..], out var prefix))
            throw new MetalLbRangeException($"'{cidr}' is not an IPv4 CIDR such as 172.18.0.0/16.");
        if (address.AddressFamily != AddressFamily.InterNetwork)
            throw new MetalLbRangeException($"'{cidr}' is IPv6; MetalLB's range here is computed from the IPv4 subnet.");
        if (prefix is < 0 or > 32)
            throw new MetalLbRangeException($"'{cidr}' has an invalid prefix length /{prefix}.");

        var hostBits = 32 - prefix;
        var usable = (1L << hostBits) - 2;
        if (usable < Size)
            throw new MetalLbRangeException($"subnet {cidr} has {Math.Max(usable, 0)} usable addresses; MetalLB needs {Size} (a /28 or larger), or set METALLB_IP_RANGE.");

        // Mask the address first: the seed assumed it was given the network base, docker does not promise that.
        var mask = prefix == 0 ? 0u : uint.MaxValue << hostBits;
        var broadcast = (ToUInt(address) & mask) | ~mask;
        return $"{ToAddress(broadcast - Size)}-{ToAddress(broadcast - 1)}";
    }

    /// <summary>True when the address lies inside a range written as first-last (for checking LoadBalancer IPs).</summary>
    public static bool Contains(string range, string ip)
    {
        var dash = range.IndexOf('-');
        if (dash < 0 || !IPAddress.TryParse(ip, out var address) || address.AddressFamily != AddressFamily.InterNetwork) return false;
        var value = ToUInt(address);
        return value >= ToUInt(IPAddress.Parse(range[..dash].Trim())) && value <= ToUInt(IPAddress.Parse(range[(dash + 1)..].Trim()));
    }

    static uint ToUInt(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    static string ToAddress(uint value) => new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]).ToString();
}

public sealed class MetalLbRangeException(string message) : Exception(message);
