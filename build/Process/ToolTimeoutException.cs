using DataPlatform.Build.Frosting;

namespace DataPlatform.Build.Process;

/// <summary>
/// A command ran past its bound and was stopped, with its whole process tree. An expected failure, shown without a
/// stack trace, and never reported as Ctrl+C: the message names the command (secrets masked), the bound and what to check.
/// </summary>
internal sealed class ToolTimeoutException(string shownCommand, TimeSpan bound, string whenHung)
    : BuildFailure($"{shownCommand} did not finish within {Describe(bound)} and was stopped. {whenHung}")
{
    public TimeSpan Bound { get; } = bound;

    /// <summary>"45 s", "5 min", "1 min 30 s": how people say a bound.</summary>
    public static string Describe(TimeSpan bound)
    {
        if (bound < TimeSpan.FromSeconds(1)) return $"{Math.Max(1, (int)bound.TotalMilliseconds)} ms";
        if (bound < TimeSpan.FromMinutes(2)) return $"{(int)bound.TotalSeconds} s";
        var minutes = (int)bound.TotalMinutes;
        return bound.Seconds == 0 ? $"{minutes} min" : $"{minutes} min {bound.Seconds} s";
    }

    /// <summary>What to check when a program hangs and its wrapper said nothing more specific.</summary>
    public static string HintFor(string program) => Path.GetFileName(program) switch
    {
        "docker" => "Is Docker frozen (Docker Desktop can hang while the daemon looks alive)? Restart Docker, check that " +
                    "`docker info` answers, then run the same target again.",
        "kind" => "kind waits on Docker: check that `docker info` answers and that Docker has enough memory and disk " +
                  "(`docker system df`), then run the same target again.",
        "kubectl" or "helm" or "helmfile" => "Is the cluster's API server answering? `docker ps` should list the kind " +
                  "nodes as running; restart Docker if it is frozen, then run the same target again.",
        var name => $"Check that `{name}` works on its own, then run the same target again.",
    };
}
