using System.Text.RegularExpressions;

namespace DataPlatform.Build.Platform;

/// <summary>
/// GLOBAL_DOMAIN becomes every host name (&lt;app&gt;.&lt;domain&gt;), Ingress host and certificate name, which Kubernetes
/// and cert-manager accept only as a lowercase DNS name (RFC 1123): labels of a-z, 0-9 and '-', joined by dots.
/// </summary>
internal static partial class DomainName
{
    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex Label();

    /// <summary>What is wrong with the name, in words; empty when it is a valid lowercase DNS name.</summary>
    public static IReadOnlyList<string> Problems(string name)
    {
        var problems = new List<string>();
        if (name.Length == 0) return ["it is empty"];
        if (name.Contains("://")) problems.Add("it is a URL; write the domain alone, without the scheme");
        if (name.StartsWith("*.", StringComparison.Ordinal)) problems.Add("it starts with '*.'; write the parent domain, the build adds each app's name");
        if (name.Any(char.IsUpper)) problems.Add("it has capital letters (Kubernetes takes host names in lowercase only)");
        if (name.Any(char.IsWhiteSpace)) problems.Add("it has spaces");
        var others = name.Where(c => !char.IsWhiteSpace(c) && !char.IsUpper(c) && !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))
            .Distinct().ToList();
        if (others.Count > 0 && !name.Contains("://"))
            problems.Add($"it has characters a host name cannot hold ({string.Join(" ", others.Select(c => $"'{c}'"))}): only a-z, 0-9, '-' and '.'");
        if (name.EndsWith('.')) problems.Add("it ends with '.': write it without the final dot");
        if (name.StartsWith('.')) problems.Add("it starts with '.'");
        if (name.Contains("..")) problems.Add("it has an empty label ('..')");
        var labels = name.Trim('.').Split('.');
        if (labels.Any(l => l.StartsWith('-') || l.EndsWith('-'))) problems.Add("a label starts or ends with '-'");
        if (labels.Any(l => l.Length > 63)) problems.Add("a label is longer than 63 characters");
        if (name.Length > 253) problems.Add($"it has {name.Length} characters; a DNS name has at most 253");
        // Whatever the list says, the final word is the full rule.
        if (problems.Count == 0 && !name.Split('.').All(l => Label().IsMatch(l))) problems.Add("it is not a DNS name");
        return problems;
    }

    /// <summary>The closest valid name ("My Platform.Internal." → "my-platform.internal"), or null when none is obvious.</summary>
    public static string? Suggest(string name)
    {
        var text = name.Trim().ToLowerInvariant();
        if (text.IndexOf("://", StringComparison.Ordinal) is var scheme and >= 0) text = text[(scheme + 3)..].Split('/')[0];
        if (text.StartsWith("*.", StringComparison.Ordinal)) text = text[2..];
        var labels = text.Split('.')
            .Select(label => Regex.Replace(label, "[^a-z0-9-]+", "-").Trim('-'))
            .Where(label => label.Length > 0)
            .ToList();
        var suggestion = string.Join('.', labels);
        return suggestion.Length is > 0 and <= 253 && labels.All(l => Label().IsMatch(l)) && suggestion != name ? suggestion : null;
    }
}
