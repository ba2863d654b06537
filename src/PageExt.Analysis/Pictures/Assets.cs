using System.Reflection;

namespace PageExt.Analysis.Pictures;

/// <summary>The report's own HTML, CSS and JavaScript, kept as files under Assets/ and embedded at build.</summary>
internal static class Assets
{
    public static string Read(string fileName)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("PageExt.Analysis.Pictures." + fileName)
            ?? throw new InvalidOperationException($"the report asset '{fileName}' is not embedded in {typeof(Assets).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
