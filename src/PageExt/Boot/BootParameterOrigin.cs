namespace PageExt.Boot;

/// <summary>Where a boot parameter comes from, so documentation can tell kernel behaviour from ours.</summary>
public enum BootParameterOrigin
{
    /// <summary>A mainline kernel parameter, parsed as the kernel parses it.</summary>
    Kernel,

    /// <summary>Only in the November 2014 seed patch set (v2), never merged.</summary>
    Seed2014,

    /// <summary>A PageExt addition with no kernel counterpart.</summary>
    Project,
}
