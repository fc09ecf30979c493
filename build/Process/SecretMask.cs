namespace DataPlatform.Build.Process;

/// <summary>
/// Replaces every known secret value with *** in text that is about to be shown.
/// The secrets are gathered lazily: computing some of them (a bcrypt hash) is not free, and most runs print little.
/// </summary>
public sealed class SecretMask(Func<IEnumerable<string>> secrets)
{
    // Longest first, so a secret that contains another is masked whole.
    readonly Lazy<string[]> _secrets = new(() => secrets().Where(s => s.Length >= 4).Distinct().OrderByDescending(s => s.Length).ToArray());

    public static readonly SecretMask None = new(() => []);

    public string Apply(string text)
    {
        foreach (var secret in _secrets.Value) text = text.Replace(secret, "***", StringComparison.Ordinal);
        return text;
    }
}
