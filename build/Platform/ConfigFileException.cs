namespace DataPlatform.Build.Platform;

/// <summary>
/// A platform file is missing or wrong. The message is one "file:line:col: problem" line per problem found, so the user
/// knows where to look and can fix everything in one go.
/// </summary>
internal sealed class ConfigFileException : Exception
{
    public ConfigFileException(string path, string problem)
        : this([new ConfigProblem(System.IO.Path.GetFileName(path), null, null, problem)]) { }

    internal ConfigFileException(IReadOnlyList<ConfigProblem> problems)
        : base(string.Join(Environment.NewLine, problems)) =>
        Problems = problems;

    internal IReadOnlyList<ConfigProblem> Problems { get; }

    /// <summary>Throws when a loader collected any problem; loaders collect all of them before giving up.</summary>
    internal static void ThrowIfAny(List<ConfigProblem> problems)
    {
        if (problems.Count > 0) throw new ConfigFileException(problems.ToList());
    }
}
