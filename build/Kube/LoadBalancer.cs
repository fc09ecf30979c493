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
}
