using System.Runtime.InteropServices;

namespace PageExt.Stacks;

/// <summary>
/// A statistics counter that many threads bump at once without fighting over one cache line:
/// each thread increments one of 16 cells (chosen by managed thread id), each on its own 64-byte
/// line; reads sum the cells. Increments are atomic, so no count is lost.
/// </summary>
internal sealed class StripedCounter
{
    private const int CellCount = 16;
    private readonly Cell[] _cells = new Cell[CellCount];

    public void Increment()
    {
        int index = Environment.CurrentManagedThreadId & (CellCount - 1);
        Interlocked.Increment(ref _cells[index].Value);
    }

    public long Read()
    {
        long sum = 0;
        for (int i = 0; i < CellCount; i++)
        {
            sum += Volatile.Read(ref _cells[i].Value);
        }

        return sum;
    }

    [StructLayout(LayoutKind.Explicit, Size = 64)]
    private struct Cell
    {
        [FieldOffset(0)]
        public long Value;
    }
}
