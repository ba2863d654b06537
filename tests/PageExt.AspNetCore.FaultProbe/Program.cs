// A child process for the tests: a use after return under debug_pagealloc=on must kill the process
// at the access, which a test cannot survive in-process. Rents a buffer from the PageExt pool,
// returns it, then reads or writes it through a span taken while it was rented. Exit code 1 means
// it survived: the page was not protected.
using PageExt.AspNetCore;

string mode = args.Length == 1 ? args[0] : "";
if (mode is not ("read-after-return" or "write-after-return"))
{
    Console.Error.WriteLine("usage: PageExt.AspNetCore.FaultProbe read-after-return|write-after-return");
    return 2;
}

using var factory = new PageExtMemoryPoolFactory(new PageExtMemoryPoolOptions { CommandLine = "debug_pagealloc=on", MemoryBytes = 64L << 20, Cpus = 1 });
using var pool = factory.Create();
var owner = pool.Rent();
var span = owner.Memory.Span;
span[0x123] = 1;
owner.Dispose();
Console.WriteLine($"{mode}: touching the returned buffer at offset 0x123");
Console.Out.Flush();
if (mode == "read-after-return")
{
    Console.WriteLine(span[0x123]);
}
else
{
    span[0x123] = 0x42;
}

Console.WriteLine("no fault: the returned buffer was accessible");
return 1;
