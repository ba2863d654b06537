namespace PageExt.Analysis.Tests.Sort;

/// <summary>
/// Every case in Golden/cases.txt: the output of the real page_owner_sort (built by hand from the
/// kernel sources named in Golden/README.md) for one input and one option set, compared byte for byte.
/// </summary>
public sealed class GoldenTests
{
    public static TheoryData<string, string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var line in File.ReadAllLines(Path.Combine(TestData.GoldenDirectory, "cases.txt")))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split('|');
            var name = parts[1].Split(' ');
            data.Add(parts[0], name[0], name[1], parts[2]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Output_matches_the_kernel_tool(string tool, string input, string tag, string args)
    {
        var run = TestData.Sort(TestData.ReadInput(input + ".txt"), args);
        var expected = File.ReadAllBytes(TestData.Expected($"{input}.{tag}.txt"));
        TestData.AssertSameLines(expected, run.Output, $"{tool} page_owner_sort {args} {input}.txt");
    }

    [Theory]
    [InlineData(1 << 10)]
    [InlineData(4093)]
    [InlineData(64 << 10)]
    public void Chunk_size_does_not_change_the_output(int chunkBytes)
    {
        foreach (var (input, args, tag) in new[] { ("modern-s11", "", "default"), ("modern-s11", "--cull=st", "cull-st"), ("edge", "-a", "a"), ("v6.6-s13", "--compat=v6.6 --cull=st,f,ator -m", "compat66-cull-st-f-ator") })
        {
            var run = TestData.Sort(TestData.ReadInput(input + ".txt"), args, chunkBytes);
            TestData.AssertSameLines(File.ReadAllBytes(TestData.Expected($"{input}.{tag}.txt")), run.Output, $"{input} {args} in {chunkBytes}-byte chunks");
            Assert.Equal(0, run.Log.Warnings);
        }
    }

    [Fact]
    public void Sort_option_is_honoured_unlike_the_v6_19_tool()
    {
        // v6.7-v6.19 replace --sort with -t when no letter option is given; the mm-tree fix keeps it.
        var input = TestData.ReadInput("modern-s11.txt");
        var withSort = TestData.Sort(input, "--sort=p");
        var byCount = TestData.Sort(input, "");
        Assert.False(withSort.Output.AsSpan().SequenceEqual(byCount.Output));
        TestData.AssertSameLines(File.ReadAllBytes(TestData.Expected("modern-s11.sort-p.txt")), withSort.Output, "--sort=p");
    }
}
