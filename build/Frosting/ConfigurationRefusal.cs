namespace DataPlatform.Build.Frosting;

/// <summary>
/// A mistake in what the user asked for (a variable, a file's line, a missing confirmation), found before anything
/// changed: shown like any <see cref="BuildFailure"/>, but the run exits 2, as a command-line mistake does.
/// </summary>
internal sealed class ConfigurationRefusal(string message) : BuildFailure(message);
