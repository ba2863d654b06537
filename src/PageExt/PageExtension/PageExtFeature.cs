namespace PageExt.PageExtension;

/// <summary>
/// The process-wide switch for page_ext and every client behind it (the kernel's CONFIG_PAGE_EXTENSION
/// and its static keys, in .NET). Read once in the static initializer; the tier-1 JIT then treats
/// it as a constant, so with the switch off the allocator's hook branches are compiled out.
/// <para>
/// On by default. Turn it off with the AppContext switch <c>PageExt.PageExtSupported=false</c>
/// (runtimeconfig) or the environment variable <c>PAGEEXT_SUPPORTED=0</c>; machines then boot with
/// every page_ext client off whatever their command line says, and log that they did.
/// </para>
/// </summary>
public static class PageExtFeature
{
    /// <summary>The allocator's switch for all its clients: page_ext exists only to serve them.</summary>
    public static readonly bool Supported = Buddy.AllocatorHookTable.Supported;
}
