using System.Text;
using System.Text.RegularExpressions;

namespace DataPlatform.Build.Process;

/// <summary>
/// Replaces every known secret value with *** in text that is about to be shown, in every form a tool may echo it:
/// as typed; JSON-escaped (<c>\"</c>, <c>\\</c>, <c>\u0026</c>, escaped twice when JSON holds JSON); URL-encoded
/// (<c>%40</c> for <c>@</c>, either hex case, <c>+</c> for a space); and base64 (Kubernetes Secrets, <c>helm get values</c>),
/// standard or URL-safe, padded or not, alone or inside a longer base64 value such as a docker config's
/// <c>auth</c> = base64("user:password").
/// The secrets are gathered lazily: computing some of them (a bcrypt hash) is not free, and most runs print little.
/// </summary>
internal sealed class SecretMask(Func<IEnumerable<string>> secrets)
{
    public const string Replacement = "***";

    /// <summary>
    /// Secrets shorter than this are masked only where they stand as a whole token (no letter or digit right before or
    /// after). A 1–3 character password is a common substring of ordinary words ("ab" is in "table"); masking it
    /// everywhere would turn every line into asterisks and teach users to ignore the output. As a whole token (a
    /// value after "password: ", between quotes, after "=") it is still masked, which is where tools echo values.
    /// </summary>
    public const int ShortSecretLength = 4;

    /// <summary>A base64 fragment shorter than this could match random base64 (certificates) by chance; longer ones cannot.</summary>
    const int MinimumEmbeddedBase64Length = 6;

    readonly Lazy<Regex?> _pattern = new(() => Build(secrets()));

    public static readonly SecretMask None = new(() => []);

    public string Apply(string text)
    {
        if (string.IsNullOrEmpty(text) || _pattern.Value is not { } pattern) return text;
        return pattern.Replace(text, Replacement);
    }

    static Regex? Build(IEnumerable<string> secrets)
    {
        // Blank values hide nothing and, masked, would garble every line.
        var distinct = secrets.Where(s => !string.IsNullOrWhiteSpace(s)).Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count == 0) return null;
        // One alternation, longest secret first, so a secret that contains another is masked whole. The patterns are
        // plain sequences of alternatives without nested repetition, so matching stays linear in the text.
        var alternatives = distinct.OrderByDescending(s => s.Length).SelectMany(Alternatives);
        return new Regex(string.Join('|', alternatives), RegexOptions.CultureInvariant);
    }

    /// <summary>Regex alternatives for one secret, the most complete form first.</summary>
    static IEnumerable<string> Alternatives(string secret)
    {
        var isShort = secret.Length < ShortSecretLength;
        var text = TextForms(secret);
        yield return isShort ? WholeToken(text) : text;

        var bytes = Encoding.UTF8.GetBytes(secret);
        var whole = Convert.ToBase64String(bytes);
        foreach (var form in new[] { whole, UrlSafe(whole), whole.TrimEnd('='), UrlSafe(whole).TrimEnd('=') }.Distinct())
            yield return isShort ? WholeBase64Token(Regex.Escape(form)) : Regex.Escape(form);

        // Inside a longer base64 value the secret's bytes start at one of three alignments; the characters that depend
        // only on the secret's bytes are the same whatever surrounds it.
        for (var offset = 0; offset < 3; offset++)
        {
            var core = AlignedBase64(bytes, offset);
            if (core.Length < MinimumEmbeddedBase64Length) continue;
            foreach (var form in new[] { core, UrlSafe(core) }.Distinct())
                yield return Regex.Escape(form);
        }
    }

    /// <summary>
    /// The secret character by character, each as itself, percent-encoded (either hex case, + for a space) or
    /// JSON-escaped at any depth (\" and \\\" alike, \uXXXX). Mixed forms match too: harmless, and simpler than
    /// enumerating every encoder's choice of which characters to escape.
    /// </summary>
    static string TextForms(string secret)
    {
        var pattern = new StringBuilder("(?:");
        foreach (var rune in secret.EnumerateRunes())
        {
            var forms = new List<string> { Regex.Escape(rune.ToString()) };
            var utf8 = new byte[rune.Utf8SequenceLength];
            rune.EncodeToUtf8(utf8);
            forms.Add(string.Concat(utf8.Select(b => $"%(?i:{b:X2})")));
            if (rune.Value == ' ') forms.Add(@"\+");
            var utf16 = rune.ToString();
            forms.Add(string.Concat(utf16.Select(c => $@"\\+u(?i:{(int)c:X4})")));
            if (rune.Value is '"' or '\\' or '/') forms.Add(@"\\+" + Regex.Escape(rune.ToString()));
            if (ShortJsonEscape(rune.Value) is { } letter) forms.Add(@"\\+" + letter);
            pattern.Append("(?:").Append(string.Join('|', forms)).Append(')');
        }
        return pattern.Append(')').ToString();
    }

    static char? ShortJsonEscape(int c) => c switch
    {
        '\b' => 'b', '\f' => 'f', '\n' => 'n', '\r' => 'r', '\t' => 't', _ => null,
    };

    static string WholeToken(string pattern) => $@"(?<![\p{{L}}\p{{N}}])(?:{pattern})(?![\p{{L}}\p{{N}}])";

    static string WholeBase64Token(string pattern) => $@"(?<![A-Za-z0-9+/_-])(?:{pattern})(?![A-Za-z0-9+/_=-])";

    static string UrlSafe(string base64) => base64.Replace('+', '-').Replace('/', '_');

    /// <summary>The base64 characters fixed by these bytes alone when they start <paramref name="offset"/> bytes into a group of three.</summary>
    internal static string AlignedBase64(byte[] bytes, int offset)
    {
        var padded = new byte[offset + bytes.Length];
        bytes.CopyTo(padded, offset);
        var encoded = Convert.ToBase64String(padded).TrimEnd('=');
        var total = padded.Length;
        var fixedEnd = total / 3 * 4 + (total % 3) switch { 1 => 1, 2 => 2, _ => 0 };
        var fixedStart = offset switch { 0 => 0, 1 => 2, _ => 3 };
        return fixedEnd > fixedStart ? encoded[fixedStart..fixedEnd] : "";
    }
}
