using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DataPlatform.Build.Images;

/// <summary>
/// Asks a registry whether a manifest exists, as `docker manifest inspect` would, without pulling anything: a HEAD of
/// /v2/&lt;repository&gt;/manifests/&lt;tag&gt;. A registry that answers 401 with a Bearer challenge (Docker Hub, ghcr.io,
/// quay.io, registry.k8s.io) gets the anonymous token flow of the distribution spec: GET realm?service=&amp;scope=, then
/// the HEAD again with the token. Every request is bounded.
/// </summary>
/// <param name="endpoint">Where a registry host's API answers: <see cref="ImageReference.DefaultEndpoint"/> in the build; tests map hosts to a local registry.</param>
internal sealed partial class RegistryClient(HttpClient http, Func<string, Uri> endpoint, TimeSpan requestTimeout)
{
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(10);

    static readonly string[] ManifestTypes =
    [
        "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.v2+json",
    ];

    [GeneratedRegex(@"(?<key>[a-zA-Z_]+)=""(?<value>[^""]*)""")]
    private static partial Regex ChallengeParameter();

    public async Task<ImageStatus> CheckAsync(ImageReference image, CancellationToken ct)
    {
        var baseUri = endpoint(image.Registry);
        var manifest = new Uri(baseUri, $"/v2/{image.Repository}/manifests/{image.Reference}");
        try
        {
            using var first = await SendAsync(HttpMethod.Head, manifest, null, ct);
            if (first.StatusCode != HttpStatusCode.Unauthorized) return Verdict(first, image);
            if (Challenge(first) is not { } challenge)
                return new ImageStatus(ImageState.Unverified, $"{image.Registry} asks for a login (401 without a Bearer challenge); the cluster needs an image pull secret for it");
            var token = await TokenAsync(challenge, image, ct);
            if (token is null)
                return new ImageStatus(ImageState.Unverified, $"{image.Registry}'s token service ({challenge.Realm}) gave no anonymous token");
            using var second = await SendAsync(HttpMethod.Head, manifest, token, ct);
            return second.StatusCode == HttpStatusCode.Unauthorized
                ? new ImageStatus(ImageState.Unverified, $"{image.Registry} refused an anonymous read of {image.Repository}: it does not exist, or it is private (then the cluster needs an image pull secret)")
                : Verdict(second, image);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new ImageStatus(ImageState.Unverified, $"{baseUri.Host} did not answer within {requestTimeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            return new ImageStatus(ImageState.Unverified, $"{baseUri.Host} could not be reached ({e.Message})");
        }
    }

    static ImageStatus Verdict(HttpResponseMessage response, ImageReference image) => response.StatusCode switch
    {
        HttpStatusCode.OK => new ImageStatus(ImageState.Exists, $"{image.Registry} has it"),
        HttpStatusCode.NotFound => new ImageStatus(ImageState.Missing,
            $"{image.Registry} answered 404: no {(image.IsDigest ? "digest" : "tag")} {image.Reference} in {image.Repository} (or no such repository)"),
        HttpStatusCode.TooManyRequests => new ImageStatus(ImageState.RateLimited,
            $"{image.Registry} answered 429 (rate limit{(response.Headers.RetryAfter?.Delta is { } after ? $", retry after {after.TotalSeconds:0} s" : "")}): not checked"),
        var other => new ImageStatus(ImageState.Unverified, $"{image.Registry} answered {(int)other} {other}"),
    };

    sealed record BearerChallenge(string Realm, string? Service, string? Scope);

    static BearerChallenge? Challenge(HttpResponseMessage response)
    {
        var bearer = response.Headers.WwwAuthenticate.FirstOrDefault(h => h.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase));
        if (bearer?.Parameter is not { } parameter) return null;
        var values = ChallengeParameter().Matches(parameter).ToDictionary(m => m.Groups["key"].Value.ToLowerInvariant(), m => m.Groups["value"].Value);
        return values.TryGetValue("realm", out var realm) && Uri.TryCreate(realm, UriKind.Absolute, out _)
            ? new BearerChallenge(realm, values.GetValueOrDefault("service"), values.GetValueOrDefault("scope"))
            : null;
    }

    async Task<string?> TokenAsync(BearerChallenge challenge, ImageReference image, CancellationToken ct)
    {
        var query = new List<string>();
        if (challenge.Service is { } service) query.Add("service=" + Uri.EscapeDataString(service));
        query.Add("scope=" + Uri.EscapeDataString(challenge.Scope ?? $"repository:{image.Repository}:pull"));
        var uri = new UriBuilder(challenge.Realm) { Query = string.Join('&', query) }.Uri;
        using var response = await SendAsync(HttpMethod.Get, uri, null, ct);
        if (!response.IsSuccessStatusCode) return null;
        try
        {
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            foreach (var name in new[] { "token", "access_token" })
                if (json.RootElement.TryGetProperty(name, out var token) && token.ValueKind == JsonValueKind.String && token.GetString() is { Length: > 0 } value)
                    return value;
        }
        catch (JsonException) { }
        return null;
    }

    async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, string? token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, uri);
        foreach (var type in ManifestTypes) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(requestTimeout);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, bounded.Token);
        // The body (a token's JSON) is read under the same bound.
        await response.Content.LoadIntoBufferAsync(bounded.Token);
        return response;
    }
}
