using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PageExt;
using PageExt.AspNetCore;
using PageExt.AspNetCore.Debug;
using PageExt.PageOwner;
using PageExt.Views;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// The debugfs and procfs files of the pool's machine over HTTP, in the kernel's formats, so the
/// kernel's tools and `pageext` read them as they read the files:
/// <c>curl -s http://127.0.0.1:5080/debug/page_owner | pageext sort - -</c>.
/// </summary>
public static class PageExtDebugEndpoints
{
    public const string PageOwnerPath = "/debug/page_owner";
    public const string ShowStacksPath = "/debug/page_owner_stacks/show_stacks";
    public const string PageTypeInfoPath = "/proc/pagetypeinfo";
    public const string BuddyInfoPath = "/proc/buddyinfo";
    public const string ReportPath = "/debug/pageext/report.html";

    private const string TextContentType = "text/plain; charset=utf-8";
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Map the endpoints for the machine of <c>AddPageExtMemoryPool</c>. They answer loopback
    /// clients only, with 403 for any other, unless the returned builder is given an authorization
    /// policy (<c>.RequireAuthorization("policy")</c>), which then decides alone.
    /// </summary>
    public static RouteGroupBuilder MapPageExtDebug(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var factory = endpoints.ServiceProvider.GetService<PageExtMemoryPoolFactory>()
            ?? throw new InvalidOperationException(
                "MapPageExtDebug serves the machine of the PageExt memory pool: call builder.Services.AddPageExtMemoryPool(...) first, or pass a Machine");
        return endpoints.MapPageExtDebug(factory.Machine);
    }

    /// <summary>Map the endpoints for <paramref name="machine"/>, with the same loopback-only default.</summary>
    public static RouteGroupBuilder MapPageExtDebug(this IEndpointRouteBuilder endpoints, Machine machine)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(machine);
        var group = endpoints.MapGroup("");
        group.MapGet(PageOwnerPath, Gate(context => WritePageOwnerFile(context, machine, writer => PageOwnerDump.Write(writer, machine.PageOwner))));
        group.MapGet(ShowStacksPath, Gate(context => WritePageOwnerFile(context, machine, writer => PageOwnerStacks.WriteStacks(writer, machine.PageOwner))));
        group.MapGet(PageTypeInfoPath, Gate(context => WriteText(context, PageTypeInfo.Render(ProcFiles.Snapshot(machine)))));
        group.MapGet(BuddyInfoPath, Gate(context => WriteText(context, BuddyInfo.Render(ProcFiles.Snapshot(machine)))));
        group.MapGet(ReportPath, Gate(context => WriteReport(context, machine)));
        return group;
    }

    private static RequestDelegate Gate(RequestDelegate handler) => context =>
    {
        if (!LoopbackGate.Allows(context))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = TextContentType;
            return context.Response.WriteAsync(LoopbackGate.RefusalText);
        }

        return handler(context);
    };

    /// <summary>
    /// debugfs's page_owner files: absent when page_owner is off, as in the kernel (it creates them
    /// only once page_owner is initialised). Written as they are produced, in bounded memory.
    /// </summary>
    private static Task WritePageOwnerFile(HttpContext context, Machine machine, Action<TextWriter> write)
    {
        if (!machine.PageOwner.IsEnabled)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return WriteText(context, "page_owner is disabled: boot the pool's machine with page_owner=on\n");
        }

        context.Response.ContentType = TextContentType;
        return WriteSynchronously(context, body =>
        {
            using var writer = new StreamWriter(body, s_utf8, 1 << 16, leaveOpen: true) { NewLine = "\n" };
            write(writer);
        });
    }

    private static Task WriteReport(HttpContext context, Machine machine)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        return WriteSynchronously(context, body => LiveHtmlReport.Write(body, machine));
    }

    /// <summary>
    /// Run a synchronous writer (the library's writers take a TextWriter or a Stream) over the
    /// response, off the request's thread. A client that hangs up part-way (`curl ... | head`) makes
    /// the next write throw, which Kestrel takes as the aborted request it is, logging no error.
    /// </summary>
    private static Task WriteSynchronously(HttpContext context, Action<Stream> write) => Task.Run(() =>
    {
        if (context.Features.Get<IHttpBodyControlFeature>() is { } control)
        {
            control.AllowSynchronousIO = true;
        }

        write(context.Response.Body);
    });

    private static Task WriteText(HttpContext context, string text)
    {
        context.Response.ContentType = TextContentType;
        return context.Response.WriteAsync(text, s_utf8, context.RequestAborted);
    }
}
