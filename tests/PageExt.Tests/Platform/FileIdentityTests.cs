using PageExt.Platform;

namespace PageExt.Tests.Platform;

public sealed class FileIdentityTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pageext-identity-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Two_files_with_the_same_content_have_different_identities_and_a_symlink_has_its_target_s()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsWindows())
        {
            return;
        }

        string a = Path.Combine(_folder, "a"), b = Path.Combine(_folder, "b"), link = Path.Combine(_folder, "link");
        File.WriteAllText(a, "same");
        File.WriteAllText(b, "same");
        File.CreateSymbolicLink(link, a);
        Assert.True(FileIdentity.TryGet(a, out var idA));
        Assert.True(FileIdentity.TryGet(b, out var idB));
        Assert.True(FileIdentity.TryGet(link, out var idLink));
        Assert.NotEqual(idA, idB);
        Assert.Equal(idA, idLink);
        Assert.Equal(FileKind.RegularFile, idA.Kind);
    }

    [Fact]
    public void A_directory_is_a_directory_and_a_missing_path_has_no_identity()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsWindows())
        {
            return;
        }

        Assert.True(FileIdentity.TryGet(_folder, out var folder));
        Assert.Equal(FileKind.Directory, folder.Kind);
        Assert.False(FileIdentity.TryGet(Path.Combine(_folder, "missing"), out _));
    }
}
