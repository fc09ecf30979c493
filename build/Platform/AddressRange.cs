using System.Globalization;

namespace DataPlatform.Build.Platform;

/// <summary>
/// An inclusive IPv4 address range in either form MetalLB's IPAddressPool accepts: "first-last" (spaces around the dash
/// allowed, first ≤ last) or a CIDR such as 172.18.255.240/28, which covers its whole block. Addresses are read strictly
/// as four decimal numbers, as Go's parser (MetalLB's) does: no "10.1", no leading zeros, no hex.
/// </summary>
internal readonly record struct AddressRange(uint First, uint Last, int? Prefix)
{
    public static AddressRange Parse(string text) =>
        TryParse(text, out var range, out var problem) ? range : throw new FormatException($"'{text}' {problem}");

    /// <summary>False with the reason in words ("has no end address after '-'") when the text is not a range.</summary>
    public static bool TryParse(string? text, out AddressRange range, out string problem)
    {
        range = default;
        var value = (text ?? "").Trim();
        problem = value switch
        {
            "" => "is empty",
            _ when value.Contains(':') => "is IPv6; the platform's kind network is IPv4 (networking.ipFamily: ipv4), so write an IPv4 range",
            _ when value.Contains('/') => ParseCidr(value, out range),
            _ when value.Contains('-') => ParseFirstLast(value, out range),
            _ when TryParseAddress(value, out _) => $"is a single address; MetalLB wants a range: write {value}-{value} or {value}/32",
            _ => "is not a range: write first-last (172.18.255.245-172.18.255.254) or a CIDR (172.18.255.240/28)",
        };
        return problem.Length == 0;
    }

    static string ParseFirstLast(string value, out AddressRange range)
    {
        range = default;
        var dash = value.IndexOf('-');
        var (first, last) = (value[..dash].Trim(), value[(dash + 1)..].Trim());
        if (first.Length == 0) return "has no start address before '-': write first-last, e.g. 172.18.255.245-172.18.255.254";
        if (last.Length == 0) return "has no end address after '-': write first-last, e.g. 172.18.255.245-172.18.255.254";
        if (!TryParseAddress(first, out var a)) return $"starts with '{first}', which is not an IPv4 address (four numbers 0-255 separated by dots)";
        if (!TryParseAddress(last, out var b)) return $"ends with '{last}', which is not an IPv4 address (four numbers 0-255 separated by dots)";
        if (a > b) return $"starts at {first}, after its end {last}: write the lower address first ({last}-{first})";
        range = new AddressRange(a, b, null);
        return "";
    }

    static string ParseCidr(string value, out AddressRange range)
    {
        range = default;
        var slash = value.IndexOf('/');
        var (address, length) = (value[..slash], value[(slash + 1)..]);
        if (!TryParseAddress(address, out var a)) return $"has '{address}' before the '/', which is not an IPv4 address";
        if (!IsDecimal(length, 2) || !int.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix > 32)
            return $"has '/{length}' as its prefix length; an IPv4 prefix is /0 to /32";
        // Like Go's net.ParseCIDR, which MetalLB uses: the block the address falls in, whatever host bits it carries.
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        range = new AddressRange(a & mask, (a & mask) | ~mask, prefix);
        return "";
    }

    /// <summary>Four decimal numbers 0-255 separated by dots, without leading zeros.</summary>
    public static bool TryParseAddress(string text, out uint address)
    {
        address = 0;
        var parts = text.Split('.');
        if (parts.Length != 4) return false;
        foreach (var part in parts)
        {
            if (!IsDecimal(part, 3) || (part.Length > 1 && part[0] == '0')) return false;
            var octet = int.Parse(part, CultureInfo.InvariantCulture);
            if (octet > 255) return false;
            address = address << 8 | (uint)octet;
        }
        return true;
    }

    static bool IsDecimal(string text, int maxDigits) => text.Length is > 0 && text.Length <= maxDigits && text.All(char.IsAsciiDigit);

    public static string Format(uint address) => $"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}";

    public bool Contains(uint address) => address >= First && address <= Last;

    /// <summary>True for an IPv4 address inside the range; false for anything else (IPv6, a host name, garbage).</summary>
    public bool Contains(string address) => TryParseAddress(address.Trim(), out var value) && Contains(value);

    public bool IsInside(AddressRange outer) => First >= outer.First && Last <= outer.Last;

    public ulong Count => (ulong)Last - First + 1;

    /// <summary>As MetalLB reads it: the CIDR for a block, first-last otherwise.</summary>
    public override string ToString() => Prefix is { } prefix ? $"{Format(First)}/{prefix}" : $"{Format(First)}-{Format(Last)}";
}
