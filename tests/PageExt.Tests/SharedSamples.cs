namespace PageExt.Tests;

/// <summary>Finds ../shared/samples beside the repository (where CI puts it).</summary>
internal static class SharedSamples
{
    public static string Path(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared", "samples", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }

            candidate = System.IO.Path.Combine(dir.FullName, "..", "shared", "samples", name);
            if (File.Exists(candidate))
            {
                return System.IO.Path.GetFullPath(candidate);
            }
        }

        throw new FileNotFoundException($"sample {name} not found in ../shared/samples above {AppContext.BaseDirectory}");
    }

    public static string Read(string name) => File.ReadAllText(Path(name));
}
