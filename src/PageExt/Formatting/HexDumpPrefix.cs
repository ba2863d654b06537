namespace PageExt.Formatting;

/// <summary>print_hex_dump()'s prefix_type: what each line starts with.</summary>
public enum HexDumpPrefix
{
    /// <summary>DUMP_PREFIX_NONE.</summary>
    None,

    /// <summary>DUMP_PREFIX_ADDRESS: the address of the line's first byte, <c>%p</c>-style, then ": ".</summary>
    Address,

    /// <summary>DUMP_PREFIX_OFFSET: the offset from the buffer start as <c>%.8x</c>, then ": ".</summary>
    Offset,
}
