namespace PageExt.Tests.Design.Samples.BodyCall.Caller;

// Uses the callee only inside a method body: no signature, field or base type names it.
internal static class Caller
{
    public static int Run()
    {
        Callee.Target.Touch();
        return 1;
    }
}

internal class CallerBase
{
}
