namespace PageExt.Buddy;

/// <summary>One feature's place in a machine's <see cref="AllocatorHookTable"/>: its name and whether the boot switched it on.</summary>
public sealed class AllocatorHookSlot
{
    internal AllocatorHookSlot(IAllocatorClient client, bool enabled)
    {
        Client = client;
        Name = client.Name;
        Enabled = enabled;
    }

    public string Name { get; }

    /// <summary>True when the allocator calls the feature; a disabled slot is never called.</summary>
    public bool Enabled { get; }

    internal IAllocatorClient Client { get; }

    public override string ToString() => $"{Name}: {(Enabled ? "on" : "off")}";
}
