using PageExt.Boot;

namespace PageExt.Tests.Boot;

/// <summary>The README's parameter table is the declarative table, rendered; they must never drift.</summary>
public class ReadmeParameterTableTests
{
    private const string Begin = "<!-- boot-parameters:begin -->";
    private const string End = "<!-- boot-parameters:end -->";

    [Fact]
    public void Readme_lists_exactly_the_declared_parameters()
    {
        string readme = File.ReadAllText(FindReadme());
        int begin = readme.IndexOf(Begin, StringComparison.Ordinal);
        int end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "README.md lacks the boot-parameters markers");
        string inReadme = readme[(begin + Begin.Length)..end].Trim();
        string rendered = BootParameterTable.RenderMarkdownTable().Trim();
        Assert.True(inReadme == rendered, "README.md's parameter table is out of date; replace it with:\n" + rendered);
    }

    private static string FindReadme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "PageExt.slnx")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("README.md beside PageExt.slnx not found above " + AppContext.BaseDirectory);
    }
}
