namespace PageExt.Fleet.Query;

/// <summary>How `pageext query` prints its result.</summary>
internal enum QueryFormat
{
    /// <summary>Aligned columns with a header rule, for a terminal.</summary>
    Table,

    /// <summary>RFC 4180, header first.</summary>
    Csv,

    /// <summary>One JSON array of objects, a property per column.</summary>
    Json,
}
