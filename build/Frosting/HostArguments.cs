using Cake.Core;
using Cake.Core.Diagnostics;

namespace DataPlatform.Build.Frosting;

public enum HostMode { Run, DryRun, Tree, Description, Help, Version }

/// <summary>
/// The command line, parsed once. Cake's own switches (--target, --verbosity, --exclusive, --dryrun, --tree,
/// --description, --help) steer the host; everything else is handed to the context as Cake arguments.
/// </summary>
public sealed record HostArguments(string Target, Verbosity Verbosity, HostMode Mode, bool Exclusive, ICakeArguments Arguments)
{
    public static HostArguments Parse(IReadOnlyList<string> args, string defaultTarget)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-'))
                throw new HostUsageException($"unexpected argument '{arg}': options look like --name=value");
            var body = arg.TrimStart('-');
            var eq = body.IndexOf('=');
            string name, value;
            if (eq >= 0) (name, value) = (body[..eq], body[(eq + 1)..]);
            else if (i + 1 < args.Count && !args[i + 1].StartsWith('-')) (name, value) = (body, args[++i]);
            else (name, value) = (body, "true");
            pairs.Add(new(name.ToLowerInvariant(), value));
        }

        var lookup = pairs.ToLookup(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        string? Last(params string[] names) => names.SelectMany(n => lookup[n]).LastOrDefault();
        bool Flag(params string[] names) => Last(names) is { } v && !v.Equals("false", StringComparison.OrdinalIgnoreCase);

        var mode = Flag("help", "h", "?") ? HostMode.Help
            : Flag("version") ? HostMode.Version
            : Flag("tree") ? HostMode.Tree
            : Flag("description", "showdescription") ? HostMode.Description
            : Flag("dryrun", "noop", "whatif") ? HostMode.DryRun
            : HostMode.Run;

        return new HostArguments(
            Last("target", "t") ?? defaultTarget,
            ParseVerbosity(Last("verbosity", "v") ?? "normal"),
            mode,
            Flag("exclusive", "e"),
            new CakeArguments(lookup));
    }

    static Verbosity ParseVerbosity(string value) => value.ToLowerInvariant() switch
    {
        "q" or "quiet" => Verbosity.Quiet,
        "m" or "minimal" => Verbosity.Minimal,
        "n" or "normal" => Verbosity.Normal,
        "v" or "verbose" => Verbosity.Verbose,
        "d" or "diag" or "diagnostic" => Verbosity.Diagnostic,
        _ => throw new HostUsageException($"unknown verbosity '{value}': use quiet, minimal, normal, verbose or diagnostic"),
    };
}

/// <summary>A mistake on the command line: printed as one line, exit code 2.</summary>
public sealed class HostUsageException(string message) : Exception(message);
