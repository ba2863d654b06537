using PageExt.Analysis.Trace;

namespace PageExt.Analysis.Tests.Trace;

/// <summary>
/// <see cref="HeldBlocks"/> against the simplest model that can be right: one entry per page,
/// naming the allocation that holds it. Seeded random allocations and frees of mixed orders, over a
/// small pfn range so that they nest, overlap and split often; the seed is printed on failure.
/// </summary>
public sealed class HeldBlocksPropertyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(20261127)]
    public void Held_blocks_agree_page_for_page_with_a_per_page_model(int seed)
    {
        var random = new Random(seed);
        var held = new HeldBlocks();
        var model = new Dictionary<ulong, long>();
        for (long step = 1; step <= 4000; step++)
        {
            int order = random.Next(10) switch
            {
                < 5 => 0,
                < 7 => 1,
                < 9 => 3,
                _ => random.Next(2) == 0 ? 6 : 11,
            };
            ulong pfn = (ulong)random.Next(0, 1 << 13) & ~((1UL << order) - 1);
            ulong pages = 1UL << order;
            bool expected = Enumerable.Range(0, (int)pages).Any(i => model.ContainsKey(pfn + (ulong)i));
            if (random.Next(2) == 0)
            {
                bool covered = held.Add(pfn, new TracedOwner { Order = order, Sequence = step, StackId = -1 });
                Assert.True(expected == covered, $"seed {seed}, step {step}: Add({pfn:x}, {order}) said {covered}, model {expected}");
                for (ulong i = 0; i < pages; i++)
                {
                    model[pfn + i] = step;
                }
            }
            else
            {
                bool found = held.Remove(pfn, order);
                Assert.True(expected == found, $"seed {seed}, step {step}: Remove({pfn:x}, {order}) said {found}, model {expected}");
                for (ulong i = 0; i < pages; i++)
                {
                    model.Remove(pfn + i);
                }
            }

            if (step % 200 == 0)
            {
                var pagesHeld = new Dictionary<ulong, long>();
                foreach (var (head, owner) in held.Blocks)
                {
                    Assert.True((head & ((1UL << owner.Order) - 1)) == 0, $"seed {seed}, step {step}: block {head:x} not aligned to order {owner.Order}");
                    for (ulong i = 0; i < 1UL << owner.Order; i++)
                    {
                        Assert.True(pagesHeld.TryAdd(head + i, owner.Sequence), $"seed {seed}, step {step}: page {head + i:x} held twice");
                    }
                }

                Assert.True(model.Count == pagesHeld.Count, $"seed {seed}, step {step}: {pagesHeld.Count} pages held, model {model.Count}");
                foreach (var (page, owner) in model)
                {
                    Assert.True(pagesHeld.TryGetValue(page, out long got) && got == owner, $"seed {seed}, step {step}: page {page:x} should be held by step {owner}");
                }
            }
        }
    }
}
