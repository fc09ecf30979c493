using System.Security.Cryptography;
using System.Text;

namespace DataPlatform.Build.Platform;

/// <summary>
/// The variables the platform's templates read: .env, then .env.local (personal, git-ignored), then whatever is
/// already set in the environment, which wins. Values whose key names a secret are masked wherever they might show.
/// </summary>
public sealed class PlatformEnvironment
{
    readonly IReadOnlyDictionary<string, string> _values;
    readonly Func<string, string?> _processEnvironment;

    PlatformEnvironment(IReadOnlyDictionary<string, string> values, Func<string, string?> processEnvironment) =>
        (_values, _processEnvironment) = (values, processEnvironment);

    public static PlatformEnvironment Load(string root, Func<string, string?> processEnvironment)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in new[] { ".env", ".env.local" })
            foreach (var (key, value) in DotEnv.Load(System.IO.Path.Combine(root, file)))
                merged[key] = value;
        foreach (var key in merged.Keys.ToList())
            if (processEnvironment(key) is { } fromProcess) merged[key] = fromProcess;
        return new PlatformEnvironment(merged, processEnvironment);
    }

    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>A key the files do not declare can still be preset in the environment (METALLB_IP_RANGE, say).</summary>
    public string? Find(string key) => _values.GetValueOrDefault(key) ?? _processEnvironment(key);

    public string Require(string key, string file = ".env") => Find(key) is { Length: > 0 } value
        ? value
        : throw new ConfigFileException(file, $"{key} is not set: add `{key}=...` to .env (or .env.local, or export it).");

    /// <summary>Keys whose names say they hold a secret. Access keys and user names are identifiers, not secrets.</summary>
    public static bool IsSecretKey(string key) =>
        new[] { "SECRET", "PASSWORD", "PASSWD", "TOKEN" }.Any(word => key.Contains(word, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<string> SecretValues => _values.Where(kv => IsSecretKey(kv.Key)).Select(kv => kv.Value);
}

/// <summary>
/// The registry's htpasswd line, computed here so that no container runs while templating (the seed ran httpd's
/// htpasswd in docker). The salt is derived from the credentials so the line is stable from one run to the next:
/// a fresh salt would make helmfile see a change, and upgrade the registry, on every Up.
/// </summary>
public static class Htpasswd
{
    const string BcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string Line(string user, string password)
    {
        var seed = HMACSHA256.HashData(Encoding.UTF8.GetBytes(user), Encoding.UTF8.GetBytes("data-platform-registry:" + password));
        // 22 salt characters; the last one carries only 2 significant bits in bcrypt's encoding.
        var salt = new string(seed.Take(21).Select(b => BcryptAlphabet[b % 64]).Append(BcryptAlphabet[seed[21] % 4 * 16]).ToArray());
        return $"{user}:{BCrypt.Net.BCrypt.HashPassword(password, "$2y$10$" + salt)}";
    }
}
