namespace DataPlatform.Build.Services;

/// <summary>An expected failure: its message says what is wrong and what to do, and is shown without a stack trace.</summary>
public class BuildFailure(string message, Exception? inner = null) : Exception(message, inner);
