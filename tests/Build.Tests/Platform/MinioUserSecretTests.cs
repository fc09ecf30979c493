using YamlDotNet.RepresentationModel;

namespace DataPlatform.Build.Tests.Platform;

/// <summary>
/// minio chart 5.4.0 writes a user's `secretKey` in plain text into the add-user script of its `minio` ConfigMap
/// (_helper_create_user.txt: `echo {{ .secretKey }}`). Every user's key must come from a Secret instead.
/// </summary>
public sealed class MinioUserSecretTests
{
    static IEnumerable<(PlatformRelease Release, YamlMappingNode User)> Users() =>
        PlatformModel.Releases.Where(r => r.ChartName == "minio")
            .SelectMany(r => PlatformModel.Values(r).Items("users").OfType<YamlMappingNode>().Select(u => (r, u)));

    [Fact]
    public void No_minio_user_carries_a_secret_key_in_its_values()
    {
        var users = Users().ToList();
        Assert.NotEmpty(users);

        foreach (var (release, user) in users)
        {
            Assert.True(user.Get("secretKey") is null,
                $"{release.Id}: user {user.Scalar("accessKey")} has a secretKey, which the chart writes into a ConfigMap; use existingSecret/existingSecretKey.");
            Assert.False(string.IsNullOrEmpty(user.Scalar("existingSecret")), $"{release.Id}: user {user.Scalar("accessKey")} has no existingSecret");
            Assert.False(string.IsNullOrEmpty(user.Scalar("existingSecretKey")), $"{release.Id}: user {user.Scalar("accessKey")} has no existingSecretKey");
        }
    }

    [Fact]
    public void Each_user_secret_is_made_before_minio_and_holds_the_key()
    {
        foreach (var (release, user) in Users())
        {
            var name = user.Scalar("existingSecret");
            var key = user.Scalar("existingSecretKey")!;
            var closure = PlatformModel.NeedsClosure(release);

            var secret = PlatformModel.Objects().FirstOrDefault(o => o.Kind == "Secret" && o.Name == name
                && (o.Node.Get("metadata") as YamlMappingNode)?.Scalar("namespace") is var ns && (ns ?? o.Release.Namespace) == release.Namespace);
            Assert.True(secret is not null, $"{release.Id}: no release renders the Secret {name} in namespace {release.Namespace}");
            // The post-install job mounts it: it must exist before the minio release is installed.
            Assert.True(closure.Contains(secret.Release.Id), $"{release.Id} does not need {secret.Release.Id}, which makes the Secret {name}");

            var data = (secret.Node.Get("data") as YamlMappingNode)?.Scalar(key) ?? (secret.Node.Get("stringData") as YamlMappingNode)?.Scalar(key);
            Assert.False(string.IsNullOrEmpty(data), $"Secret {name} has no key {key} for user {user.Scalar("accessKey")}");
        }
    }
}
