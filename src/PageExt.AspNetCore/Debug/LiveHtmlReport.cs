using PageExt.Analysis.Dump;
using PageExt.Analysis.Pictures;
using PageExt.Views;

namespace PageExt.AspNetCore.Debug;

/// <summary>
/// `pageext report` of the live machine, as `pageext run --report` writes it (<see cref="LiveMachine"/>).
/// </summary>
internal static class LiveHtmlReport
{
    public static void Write(Stream output, Machine machine)
    {
        var live = LiveMachine.Capture(machine, ProcFiles.Snapshot(machine));
        var totals = LiveMachine.LoadOwners(machine, new DiagnosticLog(), out _);
        HtmlReport.Write(output, new ReportData
        {
            Current = totals,
            Live = live,
            Title = LiveMachine.Title(machine, "PageExt memory pool"),
            PageBytes = Physical.PageSize.Bytes,
        });
    }
}
