using PageExt.Tests.Design.Samples.Ring.C;

namespace PageExt.Tests.Design.Samples.Ring.B;

internal sealed class Second
{
    public Third[] Items { get; } = [];
}
