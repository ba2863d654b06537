using PageExt.Stacks;

namespace PageExt.Tests.Stacks;

public class StackHandleTests
{
    [Fact]
    public void Kernel_example_decodes_to_pool_5_byte_3296()
    {
        var handle = new StackHandle(27000838);
        Assert.Equal(0x19C0006u, handle.Value);
        Assert.Equal(5, handle.PoolIndex);
        Assert.Equal(3296, handle.OffsetBytes);
        Assert.Equal(0, handle.Extra);
        Assert.True(handle.IsValid);
        Assert.Equal("27000838", handle.ToString());
    }

    [Fact]
    public void Invalid_is_zero_and_pool_0_offset_0_is_not()
    {
        Assert.False(StackHandle.Invalid.IsValid);
        Assert.Equal(-1, StackHandle.Invalid.PoolIndex);
        var first = StackHandle.Create(0, 0);
        Assert.Equal(1u, first.Value);
        Assert.Equal(0, first.PoolIndex);
    }

    [Fact]
    public void Fields_round_trip_at_their_limits_and_extra_is_separate()
    {
        var h = StackHandle.Create(StackHandle.MaxPoolCount - 1, 16368);
        Assert.Equal(StackHandle.MaxPoolCount - 1, h.PoolIndex);
        Assert.Equal(16368, h.OffsetBytes);
        var tagged = h.WithExtra(31);
        Assert.Equal(31, tagged.Extra);
        Assert.Equal(h.PoolIndex, tagged.PoolIndex);
        Assert.Equal(h.OffsetBytes, tagged.OffsetBytes);
        Assert.NotEqual(h, tagged);
        Assert.Throws<ArgumentOutOfRangeException>(() => h.WithExtra(32));
    }
}
