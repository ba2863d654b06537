namespace PageExt.Tests;

/// <summary>The real kernel output in tests/samples (its README says where each file comes from),
/// copied beside the test assembly by the project file.</summary>
internal static class Samples
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "samples", name);

    public static string Read(string name) => File.ReadAllText(Path(name));
}
