using System.Globalization;

namespace PageExt.Cli;

/// <summary>The machine-shaping options every command that boots a machine accepts.</summary>
internal sealed class MachineOptions
{
    public long MemoryBytes { get; private set; } = 1L << 30;

    public int Nodes { get; private set; } = 1;

    public string CommandLine { get; private set; } = Environment.GetEnvironmentVariable("PAGEEXT_CMDLINE") ?? "";

    public int Seed { get; private set; } = PageExt.Workloads.DemoWorkload.DefaultSeed;

    public int Steps { get; private set; } = PageExt.Workloads.DemoWorkload.DefaultSteps;

    public static bool TryParse(IReadOnlyList<string> args, CliContext context, out MachineOptions options, out List<string> rest)
    {
        options = new MachineOptions();
        rest = [];
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string? Value()
            {
                int eq = arg.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    return arg[(eq + 1)..];
                }

                return i + 1 < args.Count ? args[++i] : null;
            }

            string name = arg.Contains('=', StringComparison.Ordinal) ? arg[..arg.IndexOf('=', StringComparison.Ordinal)] : arg;
            switch (name)
            {
                case "--memory":
                    if (!TryParseSize(Value(), out long bytes))
                    {
                        context.Stderr.WriteLine("--memory takes a size such as 1G, 512M or 4096M");
                        return false;
                    }

                    options.MemoryBytes = bytes;
                    break;
                case "--nodes":
                    if (!int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int nodes))
                    {
                        context.Stderr.WriteLine("--nodes takes a whole number");
                        return false;
                    }

                    options.Nodes = nodes;
                    break;
                case "--cmdline":
                    options.CommandLine = Value() ?? "";
                    break;
                case "--seed":
                    if (!int.TryParse(Value(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int seed))
                    {
                        context.Stderr.WriteLine("--seed takes a whole number");
                        return false;
                    }

                    options.Seed = seed;
                    break;
                case "--steps":
                    if (!int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int steps))
                    {
                        context.Stderr.WriteLine("--steps takes a whole number");
                        return false;
                    }

                    options.Steps = steps;
                    break;
                default:
                    rest.Add(arg);
                    break;
            }
        }

        return true;
    }

    /// <summary>Boot as configured; a rejected description is reported and yields null.</summary>
    public Machine? Boot(CliContext context)
    {
        try
        {
            return Machine.Boot(new MachineDescription { MemoryBytes = MemoryBytes, Nodes = Nodes, CommandLine = CommandLine });
        }
        catch (Boot.BootParameterException ex)
        {
            context.Stderr.WriteLine($"pageext: bad boot command line: {ErrorHandler.OneLine(ex)}");
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or InsufficientMemoryException)
        {
            context.Stderr.WriteLine($"pageext: cannot boot: {ErrorHandler.OneLine(ex)}");
            return null;
        }
    }

    /// <summary>memparse(): a number with an optional K, M, G or T suffix (powers of 1024).</summary>
    public static bool TryParseSize(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        int shift = char.ToUpperInvariant(text[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => 0 };
        string digits = shift == 0 ? text : text[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value > (long.MaxValue >> shift))
        {
            return false;
        }

        bytes = value << shift;
        return true;
    }
}
