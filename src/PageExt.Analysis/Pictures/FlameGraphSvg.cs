using System.Globalization;
using System.Security;
using PageExt.Analysis.Reports;

namespace PageExt.Analysis.Pictures;

/// <summary>
/// A standalone interactive SVG flame graph in flamegraph.pl's manner, to paste into a bug report:
/// one file, its own small script (Assets/flamegraph.js), click to zoom, Ctrl+F or the Search
/// button to highlight and sum matches. Icicle form, as in the HTML report: callers on top. Frames
/// narrower than <see cref="MinWidthPixels"/> are left out, as flamegraph.pl's --minwidth does.
/// </summary>
internal static class FlameGraphSvg
{
    public const int WidthPixels = 1200;
    public const double MinWidthPixels = 0.1;
    private const int FrameHeight = 16;
    private const int Pad = 10;
    private const int TopPad = 50;
    private const int BottomPad = 30;

    public static void Write(TextWriter output, ReportData data)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(data);
        var root = FlameTree.Build(data.Current, data.Old);
        bool diff = data.Old is not null;
        long total = Math.Max(root.Pages, 1);
        double scale = (WidthPixels - 2.0 * Pad) / total;
        int depth = Depth(root, total, scale);
        int height = TopPad + depth * FrameHeight + BottomPad;
        double maxChange = diff ? Math.Max(1, MaxChange(root)) : 1;

        var c = CultureInfo.InvariantCulture;
        output.Write(string.Create(c, $$"""
            <?xml version="1.0" standalone="no"?>
            <svg version="1.1" width="{{WidthPixels}}" height="{{height}}" viewBox="0 0 {{WidthPixels}} {{height}}" xmlns="http://www.w3.org/2000/svg" data-total="{{root.Pages}}" data-page-bytes="{{data.PageBytes}}" data-diff="{{(diff ? 1 : 0)}}">
            <style>
            text { font-family: Verdana, sans-serif; font-size: 12px; fill: #000; }
            #title { font-size: 17px; text-anchor: middle; }
            #search, #unzoom { cursor: pointer; }
            #unzoom.hide { display: none; }
            g.f:hover rect { stroke: #000; stroke-width: 0.5; }
            g.f text { pointer-events: none; }
            g.f.match rect { fill: rgb(230,0,230); }
            </style>
            <script type="text/ecmascript"><![CDATA[
            {{Assets.Read("flamegraph.js")}}
            ]]></script>
            <rect x="0" y="0" width="100%" height="100%" fill="#f8f8f8"/>
            <text id="title" x="{{WidthPixels / 2}}" y="24">{{SecurityElement.Escape(data.Title)}}</text>
            <text id="unzoom" class="hide" x="{{Pad}}" y="24">Reset Zoom</text>
            <text id="search" x="{{WidthPixels - Pad - 100}}" y="24">Search</text>
            <text id="matched" text-anchor="end" x="{{WidthPixels - Pad}}" y="{{height - 10}}"> </text>
            <text id="details" x="{{Pad}}" y="{{height - 10}}"> </text>
            <g id="frames">

            """));
        WriteFrame(output, root, 0, 0, total, scale, diff, maxChange, data.PageBytes);
        output.Write("</g>\n</svg>\n");
    }

    private static void WriteFrame(TextWriter output, FlameNode node, long offset, int level, long total, double scale, bool diff, double maxChange, int pageBytes)
    {
        var c = CultureInfo.InvariantCulture;
        double x = Pad + offset * scale;
        double w = node.Pages * scale;
        string share = (node.Pages * 100.0 / total).ToString("F2", c);
        string title = diff
            ? $"{node.Name} ({node.Pages} pages, {PageUnits.Mib(node.Pages, pageBytes)} MiB, {node.Records} records, {share}%; was {node.OldPages} pages, {PageUnits.SignedMib(node.Pages - node.OldPages, pageBytes)} MiB)"
            : $"{node.Name} ({node.Pages} pages, {PageUnits.Mib(node.Pages, pageBytes)} MiB, {node.Records} records, {share}%)";
        int y = TopPad + level * FrameHeight;
        output.Write(string.Create(c, $"<g class=\"f\" data-x=\"{offset}\" data-w=\"{node.Pages}\" data-l=\"{level}\"><title>{SecurityElement.Escape(title)}</title>"));
        output.Write(string.Create(c, $"<rect x=\"{x:F1}\" y=\"{y}\" width=\"{w:F1}\" height=\"{FrameHeight - 1}\" rx=\"2\" fill=\"{Colour(node, diff, maxChange)}\"/>"));
        output.Write(string.Create(c, $"<text x=\"{x + 3:F1}\" y=\"{y + FrameHeight - 4}\">{SecurityElement.Escape(Fit(node.Name, w))}</text></g>\n"));

        long childOffset = offset;
        foreach (var child in node.Children.Values.OrderByDescending(n => n.Weight).ThenBy(n => n.Name, StringComparer.Ordinal))
        {
            if (child.Pages * scale >= MinWidthPixels)
            {
                WriteFrame(output, child, childOffset, level + 1, total, scale, diff, maxChange, pageBytes);
            }

            childOffset += child.Pages;
        }
    }

    /// <summary>The name cut to what fits in <paramref name="width"/> pixels at 7 px per character, as flamegraph.pl does.</summary>
    private static string Fit(string name, double width)
    {
        int chars = (int)((width - 6) / 7);
        return chars < 3 ? string.Empty : name.Length <= chars ? name : name[..(chars - 2)] + "..";
    }

    private static string Colour(FlameNode node, bool diff, double maxChange)
    {
        if (diff)
        {
            // Red for growth, blue for shrinkage, paler for smaller changes: flamegraph.pl's --diff palette.
            long change = node.Pages - node.OldPages;
            int fade = 210 - (int)(210 * Math.Min(1, Math.Abs(change) / maxChange));
            return change > 0 ? $"rgb(255,{fade},{fade})" : change < 0 ? $"rgb({fade},{fade},255)" : "rgb(250,250,250)";
        }

        // flamegraph.pl's "hot" palette, seeded by the name so a function keeps its colour.
        uint hash = 2166136261;
        foreach (char ch in node.Name)
        {
            hash = (hash ^ ch) * 16777619;
        }

        int r = 205 + (int)(hash % 50);
        int g = (int)((hash >> 8) % 230);
        int b = (int)((hash >> 16) % 55);
        return string.Create(CultureInfo.InvariantCulture, $"rgb({r},{g},{b})");
    }

    private static int Depth(FlameNode node, long total, double scale)
    {
        int deepest = 0;
        foreach (var child in node.Children.Values)
        {
            if (child.Pages * scale >= MinWidthPixels)
            {
                deepest = Math.Max(deepest, Depth(child, total, scale));
            }
        }

        return deepest + 1;
    }

    private static double MaxChange(FlameNode node)
    {
        double max = 0;
        foreach (var child in node.Children.Values)
        {
            max = Math.Max(max, Math.Max(Math.Abs(child.Pages - child.OldPages), MaxChange(child)));
        }

        return max;
    }
}
