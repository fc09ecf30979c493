using System.Net;
using k8s.Models;

namespace DataPlatform.Build.Kube;

internal static class LoadBalancer
{
    /// <summary>The first address MetalLB assigned to a LoadBalancer service, or null while it has none.</summary>
    public static string? Ip(V1Service service) =>
        service.Status?.LoadBalancer?.Ingress?.Select(i => i.Ip).FirstOrDefault(ip => !string.IsNullOrEmpty(ip));

    /// <summary>The LoadBalancer's IP, or the host name a cloud load balancer gives instead.</summary>
    public static string? Address(V1Service service) =>
        Ip(service) ?? service.Status?.LoadBalancer?.Ingress?.Select(i => i.Hostname).FirstOrDefault(h => !string.IsNullOrEmpty(h));

    /// <summary>
    /// Where a LoadBalancer address is dialled: an IP as it is; a cloud load balancer's host name (EKS gives
    /// a1b2….elb.amazonaws.com, no IP) by name, resolved when the connection is made, as a browser would.
    /// </summary>
    public static EndPoint EndPoint(string address, int port) =>
        IPAddress.TryParse(address, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(address, port);

    /// <summary>An endpoint as a person writes it: 10.0.0.1:443, [fd00::1]:443, lb.example.com:443.</summary>
    public static string Describe(EndPoint endpoint) => endpoint is DnsEndPoint name ? $"{name.Host}:{name.Port}" : endpoint.ToString() ?? "";
}
