using k8s.Models;

namespace DataPlatform.Build.Kube;

internal static class LoadBalancer
{
    /// <summary>The first address MetalLB assigned to a LoadBalancer service, or null while it has none.</summary>
    public static string? Ip(V1Service service) =>
        service.Status?.LoadBalancer?.Ingress?.Select(i => i.Ip).FirstOrDefault(ip => !string.IsNullOrEmpty(ip));
}
