using System.Buffers.Binary;
using System.Numerics;

namespace PageExt.Analysis.Sort;

/// <summary>A fast 64-bit hash of byte strings for the group tables (not for security: inputs are local files).</summary>
internal static class ByteHash
{
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;

    public static ulong Hash(ReadOnlySpan<byte> data)
    {
        ulong h = Prime1 ^ ((ulong)data.Length * Prime2);
        int i = 0;
        for (; i + 16 <= data.Length; i += 16)
        {
            ulong a = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            ulong b = BinaryPrimitives.ReadUInt64LittleEndian(data[(i + 8)..]);
            h = BitOperations.RotateLeft(h ^ (a * Prime2), 31) * Prime1;
            h = BitOperations.RotateLeft(h ^ (b * Prime1), 27) * Prime2;
        }

        for (; i + 8 <= data.Length; i += 8)
        {
            h = BitOperations.RotateLeft(h ^ (BinaryPrimitives.ReadUInt64LittleEndian(data[i..]) * Prime2), 31) * Prime1;
        }

        ulong tail = 0;
        for (; i < data.Length; i++)
        {
            tail = (tail << 8) | data[i];
        }

        h ^= tail * Prime1;
        h ^= h >> 33;
        h *= Prime2;
        h ^= h >> 29;
        return h;
    }
}
