namespace DataPlatform.Build.Process;

internal sealed class ToolNotFoundException(string program)
    : Exception($"'{program}' was not found on PATH: run ./build.sh --target=EnsureTools to install it")
{
    public string Program { get; } = program;
}
