using PageExt.Boot;

namespace PageExt.Tests.Boot;

public class BootParameterTableTests
{
    [Fact]
    public void Table_declares_every_parameter_once_in_documented_order()
    {
        Assert.Equal(
            ["page_owner", "debug_pagealloc", "debug_guardpage_minorder", "page_poison", "disable_debug_pagealloc",
             "stack_depot_disable", "stack_depot_max_pools", "page_owner_stack", "debug_pagealloc_max_ranges",
             "trace_event", "trace_options", "trace_buf_size", "movablecore", "cma", "mem"],
            BootParameterTable.All.Select(d => d.Name));
    }

    [Fact]
    public void Project_additions_and_the_seed_flag_are_marked()
    {
        var origins = BootParameterTable.All.ToDictionary(d => d.Name, d => d.Origin);
        Assert.Equal(BootParameterOrigin.Project, origins["page_owner_stack"]);
        Assert.Equal(BootParameterOrigin.Project, origins["debug_pagealloc_max_ranges"]);
        Assert.Equal(BootParameterOrigin.Seed2014, origins["disable_debug_pagealloc"]);
        Assert.Equal(12, origins.Values.Count(o => o == BootParameterOrigin.Kernel));
        Assert.All(
            BootParameterTable.All.Where(d => d.Origin == BootParameterOrigin.Project),
            d => Assert.StartsWith("PageExt addition", d.Description, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_default_text_parses_to_the_default_value()
    {
        foreach (var d in BootParameterTable.All.Where(d => d.Kind != BootParameterKind.Flag))
        {
            var result = BootCommandLine.Parse(d.Name + "=" + d.DefaultText);
            if (d.Name == "mem")
            {
                // "0" means "not given", which mem= itself refuses as a value.
                Assert.Single(result.Errors);
                continue;
            }

            Assert.Empty(result.Errors);
            Assert.Equal(BootParameters.Default, result.Parameters);
        }
    }

    [Fact]
    public void TryFind_treats_dash_and_underscore_alike_and_nothing_else()
    {
        Assert.True(BootParameterTable.TryFind("page-owner", out var d));
        Assert.Equal("page_owner", d!.Name);
        Assert.False(BootParameterTable.TryFind("Page_owner", out _));
        Assert.False(BootParameterTable.TryFind("page_owne", out _));
    }

    [Fact]
    public void Markdown_table_has_one_row_per_parameter_with_escaped_pipes()
    {
        string table = BootParameterTable.RenderMarkdownTable();
        string[] lines = table.TrimEnd('\n').Split('\n');
        Assert.Equal("| Parameter | Values | Default | Origin | Description |", lines[0]);
        Assert.Equal("|---|---|---|---|---|", lines[1]);
        Assert.Equal(BootParameterTable.All.Count + 2, lines.Length);
        Assert.StartsWith("| `debug_guardpage_minorder=` | 0..5 | 0 | kernel | ", lines[4], StringComparison.Ordinal);
        Assert.StartsWith("| `disable_debug_pagealloc` | no value (any value is ignored) | absent | 2014 seed (never merged) | ", lines[6], StringComparison.Ordinal);
        Assert.StartsWith("| `page_owner_stack=` | fp\\|managed\\|caller\\|off | fp | PageExt | ", lines[9], StringComparison.Ordinal);
        foreach (string line in lines.Skip(2))
        {
            // Six unescaped pipes: five cells.
            Assert.Equal(6, line.Replace("\\|", string.Empty, StringComparison.Ordinal).Count(c => c == '|'));
        }
    }
}
