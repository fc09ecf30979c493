namespace DataPlatform.Build.Platform;

/// <summary>A platform file is missing or wrong. The message always starts with the file, so the user knows where to look.</summary>
public sealed class ConfigFileException(string path, string problem)
    : Exception($"{Path.GetFileName(path)}: {problem}")
{
    public string FilePath { get; } = path;
}
