using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using DataPlatform.Build.Platform;
using DataPlatform.Build.Tests.Infrastructure;
using DataPlatform.Build.Verify;

namespace DataPlatform.Build.Tests.Verify;

/// <summary>
/// Debian's docker-registry (the same Distribution registry the platform runs) with htpasswd auth, plain HTTP on
/// 127.0.0.1: it stands in for registry.&lt;domain&gt; behind Traefik. The htpasswd line is the build's own.
/// </summary>
public class RegistryServer : IAsyncLifetime
{
    readonly bool _requireLogin;

    public RegistryServer() : this(requireLogin: true) { }

    protected RegistryServer(bool requireLogin) => _requireLogin = requireLogin;

    const string Binary = "/usr/bin/docker-registry";
    public const string User = "registry";
    public const string Password = "registrypassword";
    ServerProcess? _server;
    readonly StringBuilder _log = new();
    string _dir = "";
    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        if (!File.Exists(Binary))
            throw new InvalidOperationException($"{Binary} is missing: the registry probe is tested against Debian's docker-registry package. " +
                "Run ./test.sh, which installs it, or: sudo apt-get install docker-registry");
        _dir = Directory.CreateTempSubdirectory("verify-registry-").FullName;
        Port = LocalServers.FreePort();
        await File.WriteAllTextAsync(Path.Combine(_dir, "htpasswd"), Htpasswd.Line(User, Password) + "\n");
        await File.WriteAllTextAsync(Path.Combine(_dir, "config.yml"), $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {_dir}/data
            http:
              addr: 127.0.0.1:{Port}
            """ + (_requireLogin ? $"""

            auth:
              htpasswd:
                realm: verify-test
                path: {_dir}/htpasswd
            """ : ""));
        _server = LocalServers.Start(Binary, ["serve", Path.Combine(_dir, "config.yml")], _log);
        await LocalServers.WaitForPortAsync(Port, _server, () => _log.ToString());
    }

    public Task DisposeAsync()
    {
        if (_server is not null) LocalServers.Stop(_server);
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class RegistryProbeTests(RegistryServer registry) : IClassFixture<RegistryServer>
{
    // Every connection goes to the local registry whatever the URL's host, as the probe goes to Traefik's IP.
    EntryPoint Entry => new(new IPEndPoint(IPAddress.Loopback, registry.Port), new X509Certificate2Collection());
    Uri Url => new($"http://registry.data-platform.internal:{registry.Port}");

    [Fact]
    public async Task The_registry_refuses_anonymous_clients_and_accepts_the_env_login()
    {
        var result = await Probes.RegistryAsync("registry", Entry, Url, RegistryServer.User, RegistryServer.Password, CancellationToken.None);

        Assert.True(result.Passed, result.Detail);
        Assert.Equal("401 anonymous, 200 with REGISTRY_USER", result.Detail);
    }

    [Fact]
    public async Task A_password_the_registry_does_not_know_fails_and_points_at_env()
    {
        var result = await Probes.RegistryAsync("registry", Entry, Url, RegistryServer.User, "stale-password", CancellationToken.None);

        Assert.False(result.Passed);
        Assert.Contains("answered 401, expected 200", result.Detail);
        Assert.Contains("REGISTRY_USER/REGISTRY_PASSWORD", result.Detail);
    }
}

/// <summary>The same registry without an htpasswd section: it answers anyone, as a registry deployed without auth would.</summary>
public sealed class OpenRegistryServer() : RegistryServer(requireLogin: false);

public sealed class OpenRegistryProbeTests(OpenRegistryServer registry) : IClassFixture<OpenRegistryServer>
{
    [Fact]
    public async Task A_registry_that_answers_anonymous_clients_fails_as_open_to_anyone()
    {
        var entry = new EntryPoint(new IPEndPoint(IPAddress.Loopback, registry.Port), new X509Certificate2Collection());

        var result = await Probes.RegistryAsync("registry", entry, new Uri($"http://registry.data-platform.internal:{registry.Port}"),
            RegistryServer.User, RegistryServer.Password, CancellationToken.None);

        Assert.False(result.Passed);
        Assert.Contains("without credentials answered 200, expected 401: the registry is open to anyone", result.Detail);
    }
}

/// <summary>
/// A Kestrel server on loopback stands in for what may answer at registry.&lt;domain&gt; instead of the registry: a
/// route or middleware that forbids (403), or a registry that errors once the login is accepted (500).
/// </summary>
public sealed class RegistryProbeAnswerTests
{
    static async Task<CheckResult> ProbeAsync(Func<bool, int> status)
    {
        await using var server = await LoopbackServer.StartAsync(context =>
        {
            context.Response.StatusCode = status(context.Request.Headers.Authorization.Count > 0);
            return Task.CompletedTask;
        });
        var entry = new EntryPoint(new IPEndPoint(IPAddress.Loopback, server.Port), new X509Certificate2Collection());
        return await Probes.RegistryAsync("registry", entry, new Uri($"http://registry.data-platform.internal:{server.Port}"),
            RegistryServer.User, RegistryServer.Password, CancellationToken.None);
    }

    [Fact]
    public async Task A_403_to_anonymous_clients_is_reported_as_something_else_answering_not_as_an_open_registry()
    {
        var result = await ProbeAsync(_ => 403);

        Assert.False(result.Passed);
        Assert.Contains("without credentials answered 403, expected 401", result.Detail);
        Assert.Contains("another route or middleware answers for this host name", result.Detail);
        Assert.DoesNotContain("open to anyone", result.Detail);
    }

    [Fact]
    public async Task A_registry_that_fails_after_accepting_the_login_does_not_blame_the_env_credentials()
    {
        var result = await ProbeAsync(authenticated => authenticated ? 500 : 401);

        Assert.False(result.Passed);
        Assert.Contains("answered 500, expected 200", result.Detail);
        Assert.DoesNotContain("REGISTRY_PASSWORD", result.Detail);
    }

    [Theory]
    [InlineData(503)] // Traefik with no ready registry pod behind the route
    [InlineData(500)]
    public async Task A_server_error_to_anonymous_clients_points_at_the_registry_pod_not_at_another_route(int status)
    {
        var result = await ProbeAsync(_ => status);

        Assert.False(result.Passed);
        Assert.Contains($"without credentials answered {status}, expected 401", result.Detail);
        Assert.Contains("registry's pod", result.Detail);
        Assert.DoesNotContain("another route", result.Detail);
    }

    [Fact]
    public async Task A_403_to_the_logged_in_request_is_not_called_a_failing_registry()
    {
        var result = await ProbeAsync(authenticated => authenticated ? 403 : 401);

        Assert.False(result.Passed);
        Assert.Contains("answered 403, expected 200", result.Detail);
        Assert.Contains("HTTPRoute/IngressRoute", result.Detail);
        Assert.DoesNotContain("REGISTRY_PASSWORD", result.Detail);
    }
}
