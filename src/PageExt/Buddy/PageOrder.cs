namespace PageExt.Buddy;

/// <summary>Orders the buddy allocator manages (MAX_PAGE_ORDER and friends, x86-64 values).</summary>
public static class PageOrder
{
    /// <summary>MAX_PAGE_ORDER: the largest block is 2^10 pages (4 MiB).</summary>
    public const int Max = 10;

    /// <summary>NR_PAGE_ORDERS (the MAX_ORDER of older kernels, 11).</summary>
    public const int Count = Max + 1;

    /// <summary>MAX_ORDER_NR_PAGES.</summary>
    public const int MaxOrderPages = 1 << Max;

    /// <summary>PAGE_ALLOC_COSTLY_ORDER: orders above it are never cached on per-CPU lists.</summary>
    public const int Costly = 3;
}
