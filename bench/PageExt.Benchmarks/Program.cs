using BenchmarkDotNet.Running;
using PageExt.Benchmarks.Trace;

if (args.Length > 0 && args[0] == GenTrace.Verb)
{
    return GenTrace.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(PageExt.Benchmarks.PairedThread).Assembly).Run(args);
return 0;
