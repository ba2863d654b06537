using PageExt.Platform;

namespace PageExt.Tests.Platform;

/// <summary>The reserved array a sort appends its keys to: growth keeps values, Clear gives back zeroed memory, misuse throws.</summary>
public sealed class ReservedArrayTests
{
    [Fact]
    public void Appended_values_survive_outgrowing_the_reservation()
    {
        using var array = new ReservedArray<long>(capacity: 1000);
        for (int batch = 0; batch < 300; batch++)
        {
            var room = array.Append(batch);
            for (int i = 0; i < room.Length; i++)
            {
                room[i] = ((long)batch << 32) | (uint)i;
            }
        }

        var values = array.Span;
        Assert.Equal(300 * 299 / 2, array.Count);
        int at = 0;
        for (int batch = 0; batch < 300; batch++)
        {
            for (int i = 0; i < batch; i++)
            {
                Assert.Equal(((long)batch << 32) | (uint)i, values[at++]);
            }
        }
    }

    [Fact]
    public void Clear_empties_the_array_and_the_next_values_read_zero()
    {
        using var array = new ReservedArray<int>(capacity: 1 << 20);
        array.Append(1 << 20).Fill(-1);
        array.Clear();
        Assert.Equal(0, array.Count);
        var room = array.Append(1 << 20);
        Assert.True(room.IndexOfAnyExcept(0) < 0, "memory given back by Clear must read as zero");
    }

    [Fact]
    public void Misuse_throws_a_specific_exception()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReservedArray<int>(capacity: 0));
        using var array = new ReservedArray<int>(capacity: 16);
        Assert.Throws<ArgumentOutOfRangeException>(() => array.Append(-1));
        array.Append(100);
        Assert.Throws<InvalidOperationException>(() => array.Append(int.MaxValue));
        Assert.Equal(100, array.Count);
    }

    [Fact]
    public void Dispose_is_idempotent_and_safe_from_many_threads_and_later_use_throws()
    {
        var array = new ReservedArray<int>(capacity: 1 << 16);
        array.Append(10).Fill(3);
        Parallel.For(0, 8, _ => array.Dispose());
        array.Dispose();
        Assert.Throws<ObjectDisposedException>(() => array.Append(1));
        Assert.Throws<ObjectDisposedException>(() => array.Span.Length);
    }
}
