namespace PageExt.PageOwner;

/// <summary>Which generation of the page_owner dump to write.</summary>
public enum DumpFormat
{
    /// <summary>v6.7 and later: pid, tgid and comm, hex PFN, both migrate types by name, %pGp flags.</summary>
    Modern,

    /// <summary>The 2014 seed (3.19): decimal PFN, numeric block type, "Fallback", 12 flag columns, [&lt;addr&gt;] frames.</summary>
    Seed2014,
}
