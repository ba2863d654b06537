namespace PageExt.Tests.Design.Samples.OneWay.Upper;

internal sealed class Client
{
    private readonly Lower.Leaf _leaf = new();

    public override string ToString() => _leaf.ToString();
}
