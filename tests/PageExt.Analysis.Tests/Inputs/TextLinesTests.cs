using System.Text;
using PageExt.Analysis.Inputs;
using PageExt.Analysis.Text;

namespace PageExt.Analysis.Tests.Inputs;

public sealed class TextLinesTests
{
    private static List<(string Line, bool Cut, bool Nul)> ReadAll(byte[] bytes)
    {
        using var lines = new TextLines(new MemoryStream(bytes));
        var all = new List<(string, bool, bool)>();
        while (lines.Next() is { } line)
        {
            all.Add((line, lines.WasCut, lines.HadNul));
        }

        return all;
    }

    [Fact]
    public void A_line_longer_than_the_cap_is_cut_there_and_the_next_line_is_whole()
    {
        var all = ReadAll(Encoding.Latin1.GetBytes(new string('x', 3 * TextLines.MaxLineChars) + "\nnext\n"));
        Assert.Equal([(TextLines.MaxLineChars, true), (4, false)], all.Select(l => (l.Line.Length, l.Cut)));
    }

    [Fact]
    public void Crlf_lines_lose_the_cr_and_a_last_line_without_newline_is_kept()
    {
        Assert.Equal(["a", "b", "c"], ReadAll("a\r\nb\r\nc"u8.ToArray()).Select(l => l.Line));
    }

    [Fact]
    public void Any_byte_reads_as_one_char_and_nul_is_flagged()
    {
        var all = ReadAll([0xff, 0x00, 0x80, (byte)'\n']);
        Assert.Equal(("\u00ff\0\u0080", true), (all[0].Line, all[0].Nul));
    }
}
