using System.Text;
using Spectre.Console;

namespace DataPlatform.Build.Frosting;

/// <summary>
/// A terminal whose locale is not UTF-8 (LC_ALL=C, a Latin-1 LANG, an old CI image) shows box drawing and check marks
/// as mojibake. There, everything the build prints goes out as ASCII: Spectre draws its tables with ASCII borders, and
/// the glyphs in the build's own messages and in the tools' streamed output are spelled in ASCII.
/// </summary>
internal static class AsciiTerminal
{
    /// <summary>
    /// The character set of the effective locale, as the C library picks it: LC_ALL, else LC_CTYPE, else LANG. An unset
    /// locale says nothing either way, and today's terminals are UTF-8, so only an explicit non-UTF-8 one switches.
    /// </summary>
    public static bool IsWanted(Func<string, string?> environment)
    {
        var locale = new[] { "LC_ALL", "LC_CTYPE", "LANG" }.Select(environment).FirstOrDefault(v => !string.IsNullOrEmpty(v));
        return locale is not null && !locale.Contains("UTF-8", StringComparison.OrdinalIgnoreCase) && !locale.Contains("utf8", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Turns the process's stdout and stderr into ASCII writers, and tells Spectre the terminal has no Unicode.</summary>
    public static void Use()
    {
        Console.SetOut(new AsciiWriter(Console.Out));
        Console.SetError(new AsciiWriter(Console.Error));
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        AnsiConsole.Console.Profile.Capabilities.Unicode = false;
        AnsiConsole.Console.Profile.Encoding = Encoding.ASCII;
    }

    static readonly Dictionary<char, string> Spelled = new()
    {
        ['✓'] = "ok", ['✔'] = "ok", ['✗'] = "x", ['✘'] = "x", ['⚠'] = "!", ['…'] = "...", ['→'] = "->", ['←'] = "<-",
        ['•'] = "*", ['–'] = "-", ['—'] = "--", ['−'] = "-", ['‘'] = "'", ['’'] = "'", ['“'] = "\"", ['”'] = "\"",
        ['×'] = "x", ['·'] = "-", ['▓'] = "#", ['█'] = "#", ['°'] = " deg", ['\u00a0'] = " ",
    };

    /// <summary>The ASCII spelling of one character: itself when it is ASCII, a close spelling when one is known, else '?'.</summary>
    public static string Spell(char c) => c < 128 ? c.ToString()
        : Spelled.TryGetValue(c, out var spelled) ? spelled
        : c is >= '\u2500' and <= '\u257f' ? BoxDrawing(c)
        : "?";

    public static string Spell(string text)
    {
        if (text.All(c => c < 128)) return text;
        var ascii = new StringBuilder(text.Length);
        foreach (var c in text) ascii.Append(Spell(c));
        return ascii.ToString();
    }

    static string BoxDrawing(char c) => "─━═╌╍┄┅┈┉".Contains(c) ? "-" : "│┃║╎╏┆┇┊┋".Contains(c) ? "|" : "+";

    sealed class AsciiWriter(TextWriter inner) : TextWriter
    {
        public override Encoding Encoding => Encoding.ASCII;
        public override void Write(char value) => inner.Write(Spell(value));
        public override void Write(string? value) => inner.Write(value is null ? null : Spell(value));
        public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));
        public override void WriteLine(string? value) => inner.WriteLine(value is null ? null : Spell(value));
        public override void Flush() => inner.Flush();
    }
}
