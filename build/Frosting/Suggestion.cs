namespace DataPlatform.Build.Frosting;

/// <summary>"Did you mean": the known word closest to a typo, when it is close enough to be the likely intent.</summary>
internal static class Suggestion
{
    public static string? Closest(string typed, IEnumerable<string> known)
    {
        var words = known.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var nearest = words
            .Select(word => (Word: word, Edits: Distance(typed.ToLowerInvariant(), word.ToLowerInvariant())))
            .OrderBy(c => c.Edits).ThenBy(c => c.Word, StringComparer.Ordinal)
            .FirstOrDefault();
        // Half of the word may be wrong (pln → plan, tagret → target), or it may be a clear start of it (exclu → exclusive).
        if (nearest.Word is not null && nearest.Edits <= Math.Max(1, typed.Length / 2)) return nearest.Word;
        return typed.Length >= 3 ? words.FirstOrDefault(w => w.StartsWith(typed, StringComparison.OrdinalIgnoreCase)) : null;
    }

    /// <summary>Edits between two words, a swap of neighbours counting as one (optimal string alignment).</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
