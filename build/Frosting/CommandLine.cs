using Cake.Core;

namespace DataPlatform.Build.Frosting;

/// <summary>
/// The command line, parsed once against the declared options. Every mistake is collected (unknown option with the
/// closest known one, missing or bad value, an option given twice with different values) and reported together, so
/// the user fixes the line in one go; nothing runs until it is right.
/// </summary>
internal sealed class CommandLine
{
    readonly IReadOnlyDictionary<CommandLineOption, (string Text, object Value)> _given;

    CommandLine(IReadOnlyDictionary<CommandLineOption, (string Text, object Value)> given) => _given = given;

    public T Get<T>(CommandLineOption<T> option) => _given.TryGetValue(option, out var given) ? (T)given.Value : option.Default;

    /// <summary>
    /// The options given that no task of this run reads (`--hosts-file` with Doctor, `--report` with Clean), each as a
    /// sentence saying which target would read it: a silent no-op would let the user think it did something.
    /// </summary>
    public IEnumerable<string> WithoutEffect(IReadOnlyCollection<string> tasksToRun) =>
        _given.Keys.Where(option => option.ReadBy.Count > 0 && !option.ReadBy.Any(task => tasksToRun.Contains(task, StringComparer.OrdinalIgnoreCase)))
            .Select(option => $"--{option.Name} has no effect here: only {string.Join(" or ", option.ReadBy)} read{(option.ReadBy.Count == 1 ? "s" : "")} it, " +
                              $"and this run does not include {(option.ReadBy.Count == 1 ? "it" : "them")} (runs: {string.Join(", ", tasksToRun)}).");

    /// <summary>The options as Cake's engine sees them (context.Arguments), under their main names.</summary>
    public ICakeArguments CakeArguments => new CakeArguments(_given.ToLookup(g => g.Key.Name, g => g.Value.Text, StringComparer.OrdinalIgnoreCase));

    /// <exception cref="CommandLineException">listing every mistake on the line.</exception>
    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlyList<CommandLineOption> table)
    {
        var byName = new Dictionary<string, CommandLineOption>(StringComparer.OrdinalIgnoreCase);
        foreach (var option in table)
            foreach (var name in option.Aliases.Prepend(option.Name))
                byName.Add(name, option);

        var problems = new List<string>();
        var given = new Dictionary<CommandLineOption, (string Text, object Value)>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (PastedDash(arg) is { } ascii)
            {
                // Pasted from a web page or a word processor: the dash looks right and is another character.
                problems.Add($"'{arg}' starts with a Unicode dash ({DashName(arg.First(UnicodeDashes.ContainsKey))}), not two ASCII hyphens: write {ascii}");
                continue;
            }
            if (!LooksLikeOption(arg))
            {
                problems.Add($"unexpected argument '{arg}': options are written --name=value (a target is given as --target=<name>).");
                continue;
            }
            var body = arg.TrimStart('-');
            var equals = body.IndexOf('=');
            var name = equals >= 0 ? body[..equals] : body;
            if (!byName.TryGetValue(name, out var option))
            {
                var closest = Suggestion.Closest(name, table.Select(o => o.Name));
                problems.Add($"unknown option --{name}{(closest is null ? "" : $": did you mean --{closest}?")}");
                // `--tagret Clean`: the word after it is that option's value, not a second mistake.
                if (equals < 0 && i + 1 < args.Count && !LooksLikeOption(args[i + 1])) i++;
                continue;
            }

            string? text = equals >= 0 ? body[(equals + 1)..]
                : option.IsSwitch ? "true"
                : i + 1 < args.Count && !LooksLikeOption(args[i + 1]) ? args[++i]
                : null;
            if (!option.IsSwitch && string.IsNullOrEmpty(text))
            {
                problems.Add($"--{option.Name} needs a value: {option.Usage}.");
                continue;
            }

            object value;
            try { value = option.Read(text!); }
            catch (CommandLineException e)
            {
                problems.AddRange(e.Problems);
                continue;
            }
            if (given.TryGetValue(option, out var earlier) && earlier.Text != text)
            {
                problems.Add($"--{option.Name} is given twice ('{earlier.Text}' and '{text}'): give it once.");
                continue;
            }
            given[option] = (text!, value);
        }

        if (problems.Count > 0) throw new CommandLineException(problems);
        return new CommandLine(given);
    }

    /// <summary>The dashes a web page or a word processor turns "--" into: en dash, em dash, minus sign, figure dash, hyphen.</summary>
    static readonly Dictionary<char, string> UnicodeDashes = new()
    {
        ['\u2013'] = "an en dash, U+2013", ['\u2014'] = "an em dash, U+2014", ['\u2212'] = "a minus sign, U+2212",
        ['\u2012'] = "a figure dash, U+2012", ['\u2010'] = "a Unicode hyphen, U+2010", ['\u2011'] = "a non-breaking hyphen, U+2011",
    };

    /// <summary>The ASCII spelling of an argument that starts with Unicode dashes (`–target=Up` → `--target=Up`), or null.</summary>
    static string? PastedDash(string arg)
    {
        var dashes = arg.TakeWhile(c => c == '-' || UnicodeDashes.ContainsKey(c)).Count();
        if (dashes == 0 || !arg[..dashes].Any(UnicodeDashes.ContainsKey) || arg.Length == dashes || !char.IsLetter(arg[dashes])) return null;
        return "--" + arg[dashes..];
    }

    static string DashName(char c) => UnicodeDashes.TryGetValue(c, out var name) ? name : $"U+{(int)c:X4}";

    /// <summary>"--plan", "-t", "-?": a dash then a letter. "-1" is a (negative) value, so a range check can refuse it by name.</summary>
    static bool LooksLikeOption(string arg) => arg.StartsWith('-') && arg.TrimStart('-') is { Length: > 0 } rest && (char.IsLetter(rest[0]) || rest[0] == '?');
}
