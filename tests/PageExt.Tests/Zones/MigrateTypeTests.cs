using PageExt.Buddy;
using PageExt.Zones;

namespace PageExt.Tests.Zones;

public class MigrateTypeTests
{
    [Theory]
    [InlineData(GfpFlags.Kernel, MigrateType.Unmovable)]
    [InlineData(GfpFlags.HighUserMovable, MigrateType.Movable)]
    [InlineData(GfpFlags.Kernel | GfpFlags.Reclaimable, MigrateType.Reclaimable)]
    public void FromGfp_follows_gfp_migratetype(GfpFlags gfp, MigrateType expected)
    {
        Assert.Equal(expected, gfp.MigrateType());
    }

    [Fact]
    public void Composite_masks_match_the_kernel_values()
    {
        Assert.Equal(0xcc0u, (uint)GfpFlags.Kernel);
        Assert.Equal(0x100cc0u, (uint)GfpFlags.User);
        Assert.Equal(0x100ccau, (uint)GfpFlags.HighUserMovable);
        Assert.Equal(0x820u, (uint)GfpFlags.Atomic);
        Assert.Equal(0x1c20cau, (uint)GfpFlags.TransHugeLight);
        Assert.Equal(0x1c24cau, (uint)GfpFlags.TransHuge);
    }
}
