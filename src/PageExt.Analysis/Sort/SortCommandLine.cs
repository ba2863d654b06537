using System.Text;

namespace PageExt.Analysis.Sort;

/// <summary>The outcome of parsing `pageext sort` arguments.</summary>
/// <param name="Options">Null when the command must stop (usage error or help).</param>
/// <param name="ExitCode">0 for help, 1 for a usage error (page_owner_sort's codes).</param>
/// <param name="Message">What to print on stderr before the usage text, if anything.</param>
internal sealed record SortCommandLineResult(SortOptions? Options, int ExitCode, string? Message, bool ShowUsage);

/// <summary>
/// getopt_long as page_owner_sort calls it: bundled short options, "--opt=value" and "--opt value",
/// unique prefixes of long options, arguments permuted so options may follow the file names, and "--"
/// to end options. The meaning of the options follows the chosen generation (--compat).
/// </summary>
internal static class SortCommandLine
{
    private static readonly string[] s_kernelLongOptions = ["pid", "tgid", "name", "cull", "sort", "help"];
    private static readonly string[] s_ownLongOptions = ["compat", "format", "memory-budget"];

    public const string ModernUsage =
        "Usage: pageext sort [OPTIONS] <input> <output>\n"
        + "-a\t\t\tSort by memory allocation time.\n"
        + "-m\t\t\tSort by total memory.\n"
        + "-n\t\t\tSort by task command name.\n"
        + "-p\t\t\tSort by pid.\n"
        + "-P\t\t\tSort by tgid.\n"
        + "-s\t\t\tSort by the stacktrace.\n"
        + "-t\t\t\tSort by number of times record is seen (default).\n\n"
        + "--pid <pidlist>\t\tSelect by pid. This selects the information of\n\t\t\tblocks whose process ID numbers appear in <pidlist>.\n"
        + "--tgid <tgidlist>\tSelect by tgid. This selects the information of\n\t\t\tblocks whose Thread Group ID numbers appear in <tgidlist>.\n"
        + "--name <cmdlist>\tSelect by command name. This selects the information\n\t\t\tof blocks whose command name appears in <cmdlist>.\n"
        + "--cull <rules>\t\tCull by user-defined rules. <rules> is a single\n\t\t\targument in the form of a comma-separated list with some\n\t\t\tcommon fields predefined (pid, tgid, name, stacktrace, allocator)\n"
        + "--sort <order>\t\tSpecify sort order as: [+|-]key[,[+|-]key[,...]]\n"
        + "\t\t\tkeys: pid|p, tgid|tg, name|n, stacktrace|st, txt|T,\n\t\t\talloc_ts|at, allocator|ator\n\n"
        + "-d\t\t\tReport every skipped or repaired record, not the first 50 of each kind.\n"
        + "-h, --help\t\tPrint this text.\n"
        + "--format <fmt>\t\ttext (page_owner_sort's report, default), json, csv, or folded\n\t\t\t(\"frame;frame;frame pages\" for flamegraph.pl and speedscope).\n"
        + "--compat <gen>\t\tv6.6: the 5.18-6.6 tool (-f, -r, free_ts keys); 2014: the 3.19\n\t\t\ttool (no options, \"N times:\" blocks).\n"
        + "--memory-budget <size>\tmemory for groups before sorted runs spill to temporary files\n\t\t\t(default 32M; the report is the same either way).\n"
        + "<input> may be '-' (stdin) or gzip-compressed; <output> may be '-' (stdout).\n";

    public static SortCommandLineResult Parse(IReadOnlyList<string> args)
    {
        var options = new SortOptions();
        if (FindCompat(args) is { } compatText && !TrySetCompat(options, compatText))
        {
            return Error($"unknown --compat value '{compatText}' (expected modern, v6.6 or 2014)");
        }

        var state = new ParseState(options);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--")
            {
                state.Positionals.AddRange(args.Skip(i + 1));
                break;
            }

            var stop = arg.StartsWith("--", StringComparison.Ordinal) ? ReadLongOption(state, args, ref i)
                : arg.Length > 1 && arg[0] == '-' ? ReadShortOptions(state, arg)
                : state.AddPositional(arg);
            if (stop is not null)
            {
                return stop;
            }
        }

        if (state.Help)
        {
            return new SortCommandLineResult(null, 0, null, ShowUsage: true);
        }

        return TakeFiles(state) ?? ChooseSort(state) ?? new SortCommandLineResult(options, 0, null, ShowUsage: false);
    }

    /// <summary>--compat is read before anything else: the other options mean what its generation says.</summary>
    private static bool TrySetCompat(SortOptions options, string compatText)
    {
        switch (compatText)
        {
            case "modern" or "v6.7" or "v6.19":
                options.Compat = CompatMode.Modern;
                return true;
            case "v6.6" or "5.18":
                options.Compat = CompatMode.V6_6;
                return true;
            case "2014" or "v3.19":
                options.Compat = CompatMode.Y2014;
                return true;
            default:
                return false;
        }
    }

    /// <summary>"--name=value" or "--name value" (name a unique prefix); null to go on, else the result to stop with.</summary>
    private static SortCommandLineResult? ReadLongOption(ParseState state, IReadOnlyList<string> args, ref int i)
    {
        string arg = args[i];
        int eq = arg.IndexOf('=', StringComparison.Ordinal);
        string given = eq < 0 ? arg[2..] : arg[2..eq];
        string? value = eq < 0 ? null : arg[(eq + 1)..];
        var resolved = ResolveLong(given);
        if (resolved.Error is not null)
        {
            return Error(resolved.Error);
        }

        string name = resolved.Name!;
        if (name == "help")
        {
            if (value is not null)
            {
                return Error("option '--help' doesn't allow an argument");
            }

            state.Help = true;
            return null;
        }

        if (value is null)
        {
            if (i + 1 >= args.Count)
            {
                return Error($"option '--{name}' requires an argument");
            }

            value = args[++i];
        }

        if (state.Options.Compat == CompatMode.Y2014 && name is not ("compat" or "format" or "memory-budget"))
        {
            return Error($"option '--{name}' does not exist in the 2014 tool");
        }

        var error = ApplyLong(state, name, value);
        return error is null ? null : new SortCommandLineResult(null, 1, error, ShowUsage: false);
    }

    /// <summary>"-ms": bundled letters, each one the generation knows; null to go on, else the result to stop with.</summary>
    private static SortCommandLineResult? ReadShortOptions(ParseState state, string arg)
    {
        string known = state.Options.Compat switch
        {
            CompatMode.Modern => "admnpstPh",
            CompatMode.V6_6 => "adfmnprstPh",
            _ => "h",
        };
        foreach (char letter in arg.AsSpan(1))
        {
            if (!known.Contains(letter, StringComparison.Ordinal))
            {
                return Error($"invalid option -- '{letter}'");
            }

            ApplyLetter(state, letter);
        }

        return null;
    }

    private static void ApplyLetter(ParseState state, char letter)
    {
        switch (letter)
        {
            case 'h':
                state.Help = true;
                break;
            case 'd':
                state.Options.Debug = true;
                break;
            case 'f':
                state.Options.OnlyUnreleased = true;
                break;
            default:
                if (state.Options.Compat == CompatMode.V6_6)
                {
                    // 5.18-6.6: each letter sets the single sort key as it is read.
                    state.V66Terms.Clear();
                    state.V66Terms.Add(LetterTerm(letter, threeWayTimestamp: true));
                    state.SortOption = null;
                }
                else if (!state.Letters.Contains(letter))
                {
                    state.Letters.Add(letter);
                }

                break;
        }
    }

    /// <summary>Exactly one &lt;input&gt; and one &lt;output&gt;; null when so, else the usage error.</summary>
    private static SortCommandLineResult? TakeFiles(ParseState state)
    {
        var positionals = state.Positionals;
        if (positionals.Count < 2)
        {
            return Error(positionals.Count == 0 ? "missing <input> and <output>" : "missing <output>");
        }

        if (positionals.Count > 2)
        {
            // page_owner_sort ignores them; a forgotten quote or a stray glob is likelier than intent.
            return Error($"unexpected argument '{positionals[2]}': sort takes one <input> and one <output>");
        }

        state.Options.Input = positionals[0];
        state.Options.Output = positionals[1];
        return null;
    }

    /// <summary>The sort order the generation's rules make of the letters and --sort; null when valid, else the usage error.</summary>
    private static SortCommandLineResult? ChooseSort(ParseState state)
    {
        var options = state.Options;
        var letters = state.Letters;
        switch (options.Compat)
        {
            case CompatMode.Modern:
                if (letters.Count > 1)
                {
                    return Error($"only one of -a -m -n -p -P -s -t may be given (got {string.Join(' ', letters.Select(l => "-" + l))})");
                }

                // v6.7-v6.19 replace any --sort with -t when no letter is given; the mm-tree fix
                // (followed here) keeps --sort.
                options.Sort = letters.Count == 1
                    ? [LetterTerm(letters[0], threeWayTimestamp: false)]
                    : state.SortOption ?? [new SortTerm(SortKey.Times, Descending: true)];
                break;
            case CompatMode.V6_6:
                options.Sort = state.SortOption ?? state.V66Terms;
                break;
            default:
                options.Sort = [new SortTerm(SortKey.Times, Descending: true)];
                break;
        }

        if (options.Sort.Count == 0 && options.Compat != CompatMode.V6_6)
        {
            options.Sort = [new SortTerm(SortKey.Times, Descending: true)];
        }

        return null;
    }

    /// <summary>A byte count with an optional binary K, M or G suffix; at least 1.</summary>
    private static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        int shift = text.Length == 0 ? 0 : char.ToUpperInvariant(text[^1]) switch
        {
            'K' => 10,
            'M' => 20,
            'G' => 30,
            _ => 0,
        };
        var digits = shift == 0 ? text : text[..^1];
        if (!long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long value)
            || value < 1 || value > (long.MaxValue >> shift))
        {
            return false;
        }

        bytes = value << shift;
        return true;
    }

    private static SortCommandLineResult Error(string message) => new(null, 1, message, ShowUsage: true);

    private static string? FindCompat(IReadOnlyList<string> args)
    {
        string? found = null;
        for (int i = 0; i < args.Count && args[i] != "--"; i++)
        {
            if (args[i].StartsWith("--compat=", StringComparison.Ordinal))
            {
                found = args[i]["--compat=".Length..];
            }
            else if (args[i] == "--compat" && i + 1 < args.Count)
            {
                found = args[++i];
            }
        }

        return found;
    }

    /// <summary>getopt_long's prefix matching. page_owner_sort's own options win a prefix tie, so
    /// "--c=st" still means --cull as it does for the C tool.</summary>
    private static (string? Name, string? Error) ResolveLong(string given)
    {
        foreach (var set in new[] { s_kernelLongOptions, s_ownLongOptions })
        {
            if (set.Contains(given))
            {
                return (given, null);
            }
        }

        var kernel = s_kernelLongOptions.Where(o => o.StartsWith(given, StringComparison.Ordinal)).ToList();
        if (given.Length > 0 && kernel.Count == 1)
        {
            return (kernel[0], null);
        }

        if (kernel.Count > 1)
        {
            return (null, $"option '--{given}' is ambiguous");
        }

        return (null, $"unrecognized option '--{given}'");
    }

    /// <summary>Applies one long option; null when its value is good, else the message (printed without the usage).</summary>
    private static string? ApplyLong(ParseState state, string name, string value)
    {
        var options = state.Options;
        switch (name)
        {
            case "compat":
                return null;
            case "memory-budget":
                if (!TryParseSize(value, out long budget))
                {
                    return $"wrong --memory-budget '{value}' (expected a size such as 64M, 512K or 2G)";
                }

                options.MemoryBudgetBytes = budget;
                return null;
            case "format":
                return SetFormat(options, value);
            case "pid":
                options.Pids = ParseNumbers(value) ?? (IReadOnlyList<int>?)null;
                return options.Pids is null ? $"wrong/invalid pid in from the command line:{value}" : null;
            case "tgid":
                options.Tgids = ParseNumbers(value);
                return options.Tgids is null ? $"wrong/invalid tgid in from the command line:{value}" : null;
            case "name":
                options.Comms = value.Split(',').Select(Encoding.UTF8.GetBytes).ToArray();
                return null;
            case "cull":
                return AddCull(state, value);
            case "sort":
                return SetSortTerms(state, value);
            default:
                return $"unrecognized option '--{name}'";
        }
    }

    private static string? SetFormat(SortOptions options, string value)
    {
        switch (value)
        {
            case "text":
                options.Format = OutputFormat.Text;
                return null;
            case "json":
                options.Format = OutputFormat.Json;
                return null;
            case "csv":
                options.Format = OutputFormat.Csv;
                return null;
            case "folded":
                options.Format = OutputFormat.Folded;
                return null;
            default:
                return $"unknown --format '{value}' (expected text, json, csv or folded)";
        }
    }

    /// <summary>--cull k1,k2: the keys add up; in 5.18-6.6 a cull without any sort key sorts by times.</summary>
    private static string? AddCull(ParseState state, string value)
    {
        var compat = state.Options.Compat;
        foreach (string key in value.Split(','))
        {
            var cull = key switch
            {
                "pid" or "p" => CullKeys.Pid,
                "tgid" or "tg" => CullKeys.Tgid,
                "name" or "n" => CullKeys.Comm,
                "stacktrace" or "st" => CullKeys.StackTrace,
                "allocator" or "ator" => CullKeys.Allocator,
                "free" or "f" when compat == CompatMode.V6_6 => CullKeys.Free,
                _ => CullKeys.None,
            };
            if (cull == CullKeys.None)
            {
                return $"wrong argument after --cull option:{value}";
            }

            state.Options.Cull |= cull;
        }

        if (compat == CompatMode.V6_6 && state.SortOption is null && state.V66Terms.Count == 0)
        {
            state.V66Terms.Add(new SortTerm(SortKey.Times, Descending: true));
        }

        return null;
    }

    /// <summary>--sort [+|-]key[,...]: replaces any earlier --sort and, in 5.18-6.6, any letter's key.</summary>
    private static string? SetSortTerms(ParseState state, string value)
    {
        var terms = new List<SortTerm>();
        foreach (string item in value.Split(','))
        {
            bool descending = item.StartsWith('-');
            string key = item.StartsWith('-') || item.StartsWith('+') ? item[1..] : item;
            SortKey? parsed = key switch
            {
                "pid" or "p" => SortKey.Pid,
                "tgid" or "tg" => SortKey.Tgid,
                "name" or "n" => SortKey.Comm,
                "stacktrace" or "st" => SortKey.StackTrace,
                "txt" or "T" => SortKey.Text,
                "alloc_ts" or "at" => SortKey.AllocTimestamp,
                "allocator" or "ator" => SortKey.Allocator,
                "free_ts" or "ft" when state.Options.Compat == CompatMode.V6_6 => SortKey.FreeTimestamp,
                _ => null,
            };
            if (parsed is null)
            {
                return $"wrong argument after --sort option:{value}";
            }

            terms.Add(new SortTerm(parsed.Value, descending, ThreeWayTimestamp: true));
        }

        state.SortOption = terms;
        state.V66Terms.Clear();
        state.V66Terms.AddRange(terms);
        return null;
    }

    private static SortTerm LetterTerm(char letter, bool threeWayTimestamp) => letter switch
    {
        'a' => new SortTerm(SortKey.AllocTimestamp, Descending: false, threeWayTimestamp),
        'm' => new SortTerm(SortKey.Pages, Descending: true),
        'n' => new SortTerm(SortKey.Comm, Descending: false),
        'p' => new SortTerm(SortKey.Pid, Descending: false),
        'P' => new SortTerm(SortKey.Tgid, Descending: false),
        'r' => new SortTerm(SortKey.FreeTimestamp, Descending: false),
        's' => new SortTerm(SortKey.StackTrace, Descending: false),
        _ => new SortTerm(SortKey.Times, Descending: true),
    };

    /// <summary>parse_nums_list: strtol(base 10) per comma-separated item, the whole item consumed.</summary>
    public static int[]? ParseNumbers(string list)
    {
        var items = list.Split(',');
        var numbers = new int[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            if (!TryStrtol(items[i], out long value))
            {
                return null;
            }

            numbers[i] = unchecked((int)value);
        }

        return numbers;
    }

    private static bool TryStrtol(string text, out long value)
    {
        value = 0;
        int i = 0;
        while (i < text.Length && text[i] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r')
        {
            i++;
        }

        bool negative = false;
        if (i < text.Length && text[i] is '+' or '-')
        {
            negative = text[i] == '-';
            i++;
        }

        int digitsStart = i;
        decimal magnitude = 0;
        while (i < text.Length && text[i] is >= '0' and <= '9')
        {
            magnitude = Math.Min((magnitude * 10) + (text[i] - '0'), (decimal)ulong.MaxValue);
            i++;
        }

        if (i == digitsStart || i != text.Length)
        {
            return false;
        }

        decimal signed = negative ? -magnitude : magnitude;
        if (signed > long.MaxValue || signed < long.MinValue)
        {
            return false;
        }

        value = (long)signed;
        return true;
    }

    /// <summary>What the arguments read so far decided.</summary>
    private sealed class ParseState(SortOptions options)
    {
        public SortOptions Options { get; } = options;

        public List<string> Positionals { get; } = [];

        /// <summary>Sort letters in the order first given (modern: at most one may remain).</summary>
        public List<char> Letters { get; } = [];

        /// <summary>5.18-6.6: the key the last letter set.</summary>
        public List<SortTerm> V66Terms { get; } = [];

        public bool Help { get; set; }

        /// <summary>The last --sort, or null.</summary>
        public List<SortTerm>? SortOption { get; set; }

        public SortCommandLineResult? AddPositional(string arg)
        {
            Positionals.Add(arg);
            return null;
        }
    }
}
