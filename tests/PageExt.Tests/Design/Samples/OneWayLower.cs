namespace PageExt.Tests.Design.Samples.OneWay.Lower;

internal sealed class Leaf
{
    public override string ToString() => nameof(Leaf);
}
