using System.Net;
using DataPlatform.Build.Images;
using DataPlatform.Build.Tests.Verify;

namespace DataPlatform.Build.Tests.Images;

/// <summary>
/// The manifest check against Debian's docker-registry (the Distribution registry most registries run) holding one
/// pushed image. The image names use a made-up registry host; the client's endpoint map sends that host to the local
/// registry, the one seam that differs from the build (which maps every host to itself).
/// </summary>
public sealed class RegistryClientTests(OpenRegistryServer registry) : IClassFixture<OpenRegistryServer>
{
    const string Host = "registry.example.test";
    static readonly HttpClient Http = new();

    Uri Local => new($"http://127.0.0.1:{registry.Port}");

    RegistryClient Client() => new(Http, host => host == Host ? Local : throw new InvalidOperationException($"the test asked for {host}"), TimeSpan.FromSeconds(5));

    static ImageReference Image(string image) => ImageReference.TryParse(image, out var problem) ?? throw new InvalidOperationException(problem);

    [Fact]
    public async Task A_pushed_tag_exists_and_a_missing_tag_or_repository_is_missing()
    {
        await TinyImage.PushAsync(Local, "team/app", "1.0.0");
        var client = Client();

        var present = await client.CheckAsync(Image($"{Host}/team/app:1.0.0"), CancellationToken.None);
        var missingTag = await client.CheckAsync(Image($"{Host}/team/app:9.9.9"), CancellationToken.None);
        var missingRepository = await client.CheckAsync(Image($"{Host}/team/nothing-here:1.0.0"), CancellationToken.None);

        Assert.Equal(ImageState.Exists, present.State);
        Assert.Equal(ImageState.Missing, missingTag.State);
        Assert.Contains("no tag 9.9.9 in team/app", missingTag.Detail);
        Assert.Equal(ImageState.Missing, missingRepository.State);
    }

    [Fact]
    public async Task A_registry_that_does_not_answer_in_time_is_unverified_not_missing()
    {
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();   // accepts connections (the kernel does) and never answers
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var client = new RegistryClient(Http, _ => new Uri($"http://127.0.0.1:{port}"), TimeSpan.FromMilliseconds(500));

        var status = await client.CheckAsync(Image($"{Host}/team/app:1.0.0"), CancellationToken.None);

        Assert.Equal(ImageState.Unverified, status.State);
        Assert.Contains("did not answer within", status.Detail);
    }
}

/// <summary>
/// The anonymous bearer-token flow and the rate limit, against a small in-test server that answers as Docker Hub does
/// (401 with a Bearer challenge, a token endpoint, then 200/404/429): Debian's registry has no anonymous token service.
/// </summary>
public sealed class RegistryTokenFlowTests
{
    [Fact]
    public async Task A_401_with_a_bearer_challenge_gets_an_anonymous_token_and_asks_again()
    {
        await using var hub = await FakeTokenRegistry.StartAsync();
        using var http = new HttpClient();
        var client = new RegistryClient(http, _ => hub.Url, TimeSpan.FromSeconds(5));

        var present = await client.CheckAsync(ImageReference.TryParse("library/nginx:1.27", out _)!, CancellationToken.None);
        var missing = await client.CheckAsync(ImageReference.TryParse("nginx:0.0.0-nope", out _)!, CancellationToken.None);
        var limited = await client.CheckAsync(ImageReference.TryParse("nginx:rate-limited", out _)!, CancellationToken.None);

        Assert.Equal(ImageState.Exists, present.State);
        Assert.Equal(ImageState.Missing, missing.State);
        Assert.Equal(ImageState.RateLimited, limited.State);
        Assert.Contains("429", limited.Detail);
        Assert.Contains("GET /token?service=registry.docker.io&scope=repository%3Alibrary%2Fnginx%3Apull", hub.Requests);
        Assert.All(hub.Requests.Where(r => r.StartsWith("HEAD") && r.EndsWith("with token")), r => Assert.Contains("/v2/library/nginx/manifests/", r));
    }
}
