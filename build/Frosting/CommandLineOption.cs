using System.Globalization;

namespace DataPlatform.Build.Frosting;

/// <summary>
/// One command-line option, declared once: its name, what it means, and how its value is read and checked. The same
/// declaration drives parsing, the checks, --help and the README's Options table.
/// </summary>
internal abstract class CommandLineOption(string name, string? placeholder, string meaning, string? rule, IReadOnlyList<string> aliases)
{
    public string Name => name;
    /// <summary>How the value is written in the usage (`&lt;seconds&gt;`); null for a switch, which takes no value.</summary>
    public string? Placeholder => placeholder;
    public string Meaning => meaning;
    /// <summary>What a value must be, and the default ("1 to 10, default 4"); null when there is nothing to say.</summary>
    public string? Rule => rule;
    /// <summary>Other spellings Cake users know (-t, --noop).</summary>
    public IReadOnlyList<string> Aliases => aliases;
    public bool IsSwitch => placeholder is null;
    public string Usage => IsSwitch ? $"--{Name}" : $"--{Name}={Placeholder}";
    /// <summary>The usage, then each alias as Cake writes it (-t, --noop).</summary>
    public IEnumerable<string> Spellings => Aliases.Select(a => a.Length > 1 ? $"--{a}" : $"-{a}").Prepend(Usage);
    public string Description => Rule is null ? Meaning : $"{Meaning} ({Rule})";

    /// <summary>The only tasks that read this option; empty when it concerns every run (--target, --plan, --verbosity).</summary>
    public IReadOnlyList<string> ReadBy { get; private set; } = [];

    /// <summary>Declares the tasks that read the option, with its declaration: a run without them warns that it has no effect.</summary>
    protected void SetReadBy(string[] tasks) => ReadBy = tasks;

    /// <summary>Reads a value given on the command line, or throws a <see cref="CommandLineException"/> naming this option.</summary>
    public abstract object Read(string value);

    protected CommandLineException Refuse(string expected, string value) =>
        new($"--{Name} {expected}, got '{value}'.");
}

/// <summary>An option whose value is a T; <see cref="Default"/> applies when it is not given.</summary>
internal sealed class CommandLineOption<T>(string name, string? placeholder, string meaning, string? rule, IReadOnlyList<string> aliases,
    T fallback, Func<CommandLineOption<T>, string, T> read)
    : CommandLineOption(name, placeholder, meaning, rule, aliases)
{
    public T Default => fallback;

    public override object Read(string value) => read(this, value)!;

    internal CommandLineException Expected(string expected, string value) => Refuse(expected, value);

    /// <summary>Only these tasks read the option (see <see cref="CommandLineOption.ReadBy"/>).</summary>
    public CommandLineOption<T> OnlyReadBy(params string[] tasks)
    {
        SetReadBy(tasks);
        return this;
    }
}

/// <summary>The kinds of option the build has, each with its checks.</summary>
internal static class Option
{
    /// <summary>A switch: --name, --name=true or --name=false.</summary>
    public static CommandLineOption<bool> Switch(string name, string meaning, params string[] aliases) =>
        new(name, null, meaning, null, aliases, false, (option, value) => value.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw option.Expected($"is a switch: write --{name}, --{name}=true or --{name}=false", value),
        });

    public static CommandLineOption<int> WholeNumber(string name, string placeholder, string meaning, int fallback, int min, int max) =>
        new(name, placeholder, meaning, $"{min} to {max}, default {fallback}", [], fallback, (option, value) =>
            int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
                ? number
                : throw option.Expected($"must be a whole number from {min} to {max}", value));

    public static CommandLineOption<TimeSpan> Seconds(string name, string meaning, double fallback, double min, double max) =>
        new(name, "<seconds>", meaning, $"{min} to {max} seconds, default {fallback}", [], TimeSpan.FromSeconds(fallback), (option, value) =>
            double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) && number >= min && number <= max
                ? TimeSpan.FromSeconds(number)
                : throw option.Expected($"must be a number of seconds from {min} to {max}", value));

    /// <summary>One of a few words; each value may be written several ways (q, quiet).</summary>
    public static CommandLineOption<T> Choice<T>(string name, string placeholder, string meaning, T fallback, string fallbackWord,
        IReadOnlyList<(string[] Words, T Value)> choices, params string[] aliases)
    {
        var shown = string.Join(", ", choices.Select(c => c.Words[0]));
        return new(name, placeholder, meaning, $"{shown}; default {fallbackWord}", aliases, fallback, (option, value) =>
        {
            foreach (var (words, choice) in choices)
                if (words.Contains(value, StringComparer.OrdinalIgnoreCase)) return choice;
            var closest = Suggestion.Closest(value, choices.SelectMany(c => c.Words));
            throw option.Expected($"must be one of {shown}{(closest is null ? "" : $" (did you mean {closest}?)")}", value);
        });
    }

    /// <summary>Free text checked later (the target is checked against the task names once they are known).</summary>
    public static CommandLineOption<string> Text(string name, string placeholder, string meaning, string fallback, params string[] aliases) =>
        new(name, placeholder, meaning, $"default {fallback}", aliases, fallback, (_, value) => value);

    /// <summary>
    /// A file the build writes: it must not be a directory, and no part of the path above it may be a file, otherwise the
    /// write would fail only after the work is done.
    /// </summary>
    public static CommandLineOption<string?> OutputFile(string name, string meaning) =>
        new(name, "<path>", meaning, null, [], null, (option, value) =>
        {
            var full = Path.GetFullPath(value);
            if (Directory.Exists(full) || value.EndsWith('/'))
                throw option.Expected("must name a file, not a directory", value);
            for (var parent = Path.GetDirectoryName(full); parent is not null; parent = Path.GetDirectoryName(parent))
            {
                if (File.Exists(parent)) throw option.Expected($"names a path under {parent}, which is a file, not a directory", value);
                if (Directory.Exists(parent)) break;
            }
            return value;
        });
}
