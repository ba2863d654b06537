using System.Runtime.InteropServices;

namespace PageExt.Tasks;

/// <summary>
/// A task name as the kernel stores it (char comm[TASK_COMM_LEN]): 16 bytes, NUL padded, at most
/// 15 characters. Two words so it is copied with two stores.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = Length)]
public readonly struct CommBytes
{
    /// <summary>TASK_COMM_LEN: the name's bytes with its NUL.</summary>
    public const int Length = 16;

    private readonly ulong _low;
    private readonly ulong _high;

    private CommBytes(ulong low, ulong high)
    {
        _low = low;
        _high = high;
    }

    public bool IsEmpty => _low == 0 && _high == 0;

    /// <summary>The two words, as a key.</summary>
    public (ulong Low, ulong High) Words => (_low, _high);

    public static CommBytes From(string name)
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes.Clear();
        for (int i = 0; i < Math.Min(name.Length, CurrentTask.CommLength); i++)
        {
            char c = name[i];
            bytes[i] = c is >= ' ' and < (char)0x7f ? (byte)c : (byte)'?';
        }

        if (name.Length == 0)
        {
            bytes[0] = (byte)'?';
        }

        return new CommBytes(MemoryMarshal.Read<ulong>(bytes), MemoryMarshal.Read<ulong>(bytes[8..]));
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        MemoryMarshal.Write(bytes, _low);
        MemoryMarshal.Write(bytes[8..], _high);
        int end = bytes.IndexOf((byte)0);
        return System.Text.Encoding.ASCII.GetString(bytes[..(end < 0 ? Length : end)]);
    }
}
