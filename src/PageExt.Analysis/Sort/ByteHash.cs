using System.Buffers.Binary;
using System.Numerics;

namespace PageExt.Analysis.Sort;

/// <summary>A fast 64-bit hash of byte strings for the group tables (not for security: inputs are local files).</summary>
internal static class ByteHash
{
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static ulong Hash(ReadOnlySpan<byte> data)
    {
        // Four independent lanes over 32-byte blocks keep the multipliers busy (records are ~600 bytes).
        ulong h1 = Prime1 ^ (ulong)data.Length;
        ulong h2 = Prime2;
        ulong h3 = unchecked(Prime1 * 3);
        ulong h4 = unchecked(Prime2 * 5);
        int i = 0;
        for (; i + 32 <= data.Length; i += 32)
        {
            h1 = BitOperations.RotateLeft(h1 + (BinaryPrimitives.ReadUInt64LittleEndian(data[i..]) * Prime2), 31) * Prime1;
            h2 = BitOperations.RotateLeft(h2 + (BinaryPrimitives.ReadUInt64LittleEndian(data[(i + 8)..]) * Prime2), 31) * Prime1;
            h3 = BitOperations.RotateLeft(h3 + (BinaryPrimitives.ReadUInt64LittleEndian(data[(i + 16)..]) * Prime2), 31) * Prime1;
            h4 = BitOperations.RotateLeft(h4 + (BinaryPrimitives.ReadUInt64LittleEndian(data[(i + 24)..]) * Prime2), 31) * Prime1;
        }

        ulong h = BitOperations.RotateLeft(h1, 1) + BitOperations.RotateLeft(h2, 7) + BitOperations.RotateLeft(h3, 12) + BitOperations.RotateLeft(h4, 18);
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
