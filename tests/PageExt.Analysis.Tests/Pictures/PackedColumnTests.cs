using PageExt.Analysis.Pictures;

namespace PageExt.Analysis.Tests.Pictures;

/// <summary>The memory map's packed columns: what report.js's unpack() reads back.</summary>
public sealed class PackedColumnTests
{
    /// <summary>The format as report.js decodes it: LEB128 varints of zigzag deltas, in base64.</summary>
    private static List<long> Unpack(string base64, int count)
    {
        byte[] bytes = Convert.FromBase64String(base64);
        var values = new List<long>();
        int at = 0;
        long previous = 0;
        for (int i = 0; i < count; i++)
        {
            ulong v = 0;
            int shift = 0;
            byte b;
            do
            {
                b = bytes[at++];
                v |= (ulong)(b & 0x7f) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);

            previous += (long)(v >> 1) ^ -(long)(v & 1);
            values.Add(previous);
        }

        Assert.Equal(bytes.Length, at);
        return values;
    }

    [Fact]
    public void Values_of_either_sign_up_to_2_pow_53_come_back_exactly()
    {
        long[] values = [0, 1, -1, 512, 512, -1, 1L << 53, 0, 300, 7];
        var column = new PackedColumn();
        foreach (long value in values)
        {
            column.Add(value);
        }

        Assert.Equal(values.Length, column.Count);
        Assert.Equal(values, Unpack(column.ToBase64(), column.Count));
    }

    [Fact]
    public void Consecutive_block_numbers_cost_one_byte_each()
    {
        var column = new PackedColumn();
        for (long block = 1000; block < 1000 + 3000; block++)
        {
            column.Add(block);
        }

        // The first value is a delta from 0 (two bytes), every other one a delta of 1.
        Assert.Equal(3001, Convert.FromBase64String(column.ToBase64()).Length);
    }
}
