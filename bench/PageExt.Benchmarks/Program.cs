using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(PageExt.Benchmarks.PairedThread).Assembly).Run(args);
