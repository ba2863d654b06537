using System.Globalization;

namespace PageExt.Benchmarks.Trace;

/// <summary>
/// `dotnet run --project bench/PageExt.Benchmarks -c Release -- gen-trace OUT [MIB] [--stacks] [--seed N]`:
/// writes a generated kmem trace of about MIB MiB (default 1024) for timing `pageext trace` end to end
/// (bench/trace-bench.sh). The same arguments give the same bytes.
/// </summary>
internal static class GenTrace
{
    public const string Verb = "gen-trace";

    public static int Run(string[] args)
    {
        var positional = new List<string>();
        int seed = 7;
        bool stacks = false;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--stacks")
            {
                stacks = true;
            }
            else if (args[i] == "--seed" && i + 1 < args.Length)
            {
                seed = int.Parse(args[++i], CultureInfo.InvariantCulture);
            }
            else
            {
                positional.Add(args[i]);
            }
        }

        if (positional.Count is 0 or > 2)
        {
            Console.Error.WriteLine("usage: gen-trace OUT [MIB] [--stacks] [--seed N]");
            return 1;
        }

        long mib = positional.Count > 1 ? long.Parse(positional[1], CultureInfo.InvariantCulture) : 1024;
        using var output = new FileStream(positional[0], FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        new KmemTraceGenerator(seed, stacks).Write(output, mib << 20);
        Console.Error.WriteLine($"gen-trace: wrote {output.Length} bytes to {positional[0]}");
        return 0;
    }
}
