using System.Text;
using PageExt.Analysis.Inputs;
using PageExt.Analysis.Stacks;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.Tests.Stacks;

public sealed class StacksFileTests
{
    private const string Stack = " get_page_from_freelist+0x1416/0x1600\n __alloc_frozen_pages_noprof+0x18c/0x1000\n";

    private static (IReadOnlyList<(IReadOnlyList<string> Frames, long Pages)> Stacks, TextDiagnostics Diagnostics) Read(string text)
    {
        var diagnostics = new TextDiagnostics();
        var entries = StacksFile.Read(new MemoryStream(Encoding.Latin1.GetBytes(text)), diagnostics);
        return (StacksFile.PerStack(entries, diagnostics), diagnostics);
    }

    [Fact]
    public void Show_stacks_gives_pages_per_stack()
    {
        var (stacks, diagnostics) = Read($"{Stack}nr_base_pages: 9643\n\n post_alloc_hook+0x1/0x2\nnr_base_pages: 16\n\n");
        Assert.Equal(0, diagnostics.Warnings);
        Assert.Equal([9643L, 16L], stacks.Select(s => s.Pages));
        Assert.Equal(["get_page_from_freelist+0x1416/0x1600", "__alloc_frozen_pages_noprof+0x18c/0x1000"], stacks[0].Frames);
    }

    [Fact]
    public void Show_handles_counts_go_to_the_stack_show_stacks_handles_names()
    {
        var (stacks, diagnostics) = Read($"{Stack}handle: 27000838\n\nhandle: 27000838\nnr_base_pages: 9643\n\n");
        Assert.Equal(0, diagnostics.Warnings);
        var stack = Assert.Single(stacks);
        Assert.Equal(9643, stack.Pages);
        Assert.Equal(2, stack.Frames.Count);
    }

    [Fact]
    public void A_handle_without_its_stack_keeps_its_pages_under_its_number()
    {
        var (stacks, _) = Read("handle: 42\nnr_base_pages: 20824\n\n");
        Assert.Equal(["handle 42 (its stack is in show_stacks_handles)"], Assert.Single(stacks).Frames);
    }

    [Fact]
    public void A_stack_counted_twice_is_counted_once_and_a_different_count_is_noted()
    {
        var (stacks, diagnostics) = Read($"{Stack}nr_base_pages: 100\n\n{Stack}handle: 7\n\nhandle: 7\nnr_base_pages: 120\n\n");
        Assert.Equal(120, Assert.Single(stacks).Pages);
        Assert.Equal(TextSeverity.Note, Assert.Single(diagnostics.Kept).Severity);
    }

    [Fact]
    public void A_line_no_page_owner_stacks_file_prints_is_named()
    {
        var (_, diagnostics) = Read($"{Stack}...\nnr_base_pages: 3\n");
        var skipped = Assert.Single(diagnostics.Kept);
        Assert.Equal((3L, TextSeverity.Skipped), (skipped.Line, skipped.Severity));
    }

    [Fact]
    public void A_stack_with_no_count_at_the_end_is_named()
    {
        var (stacks, diagnostics) = Read(Stack);
        Assert.Empty(stacks);
        Assert.Equal((1L, TextSeverity.Skipped), (diagnostics.Kept[0].Line, diagnostics.Kept[0].Severity));
    }
}
