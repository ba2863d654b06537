namespace PageExt.Tests.Design.Samples.Ring.C;

internal sealed class Third
{
    // Only a ldtoken in a body closes the ring.
    public static Type Origin() => typeof(A.First);
}
