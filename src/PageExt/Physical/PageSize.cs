namespace PageExt.Physical;

/// <summary>The base page size (PAGE_SHIFT). Every other size in the model derives from it.</summary>
public static class PageSize
{
    public const int Shift = 12;

    public const int Bytes = 1 << Shift;

    public const long OffsetMask = Bytes - 1;
}
