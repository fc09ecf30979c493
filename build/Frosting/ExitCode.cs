namespace DataPlatform.Build.Frosting;

/// <summary>The exit codes the README promises.</summary>
internal static class ExitCode
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int CommandLineMistake = 2;
}
