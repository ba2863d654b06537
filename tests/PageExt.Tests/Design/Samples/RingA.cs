using PageExt.Tests.Design.Samples.Ring.B;

namespace PageExt.Tests.Design.Samples.Ring.A;

internal static class First
{
    // Only a generic argument of a constructed type in a body: a TypeSpec behind a MemberRef.
    public static int Count() => new List<Second>().Count;
}
