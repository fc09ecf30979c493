namespace DataPlatform.Build.Access;

/// <summary>
/// One port the published-mode proxy forwards: 127.0.0.1:<see cref="HostPort"/> on the host reaches
/// <see cref="TargetIp"/>:<see cref="TargetPort"/> (a LoadBalancer address on the kind network) through the proxy's
/// <see cref="ListenPort"/>. <see cref="Variable"/> names the setting that moves the host port, when there is one.
/// </summary>
internal sealed record ProxyForward(string Service, string TargetIp, int TargetPort, int HostPort, int ListenPort, string? Variable);
