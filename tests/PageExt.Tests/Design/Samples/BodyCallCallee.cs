using PageExt.Tests.Design.Samples.BodyCall.Caller;

namespace PageExt.Tests.Design.Samples.BodyCall.Callee;

internal sealed class Target : CallerBase
{
    public static void Touch()
    {
    }
}
