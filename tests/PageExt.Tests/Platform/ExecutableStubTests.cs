using System.Runtime.InteropServices;
using PageExt.Platform;

namespace PageExt.Tests.Platform;

public sealed unsafe class ExecutableStubTests
{
    [Fact]
    public void A_stub_runs_the_machine_code_it_was_given()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return;
        }

        // mov eax, 42; ret
        nint stub = VirtualMemory.CreateExecutableStub([0xB8, 0x2A, 0x00, 0x00, 0x00, 0xC3], out string? error);

        Assert.Null(error);
        Assert.NotEqual(0, stub);
        Assert.Equal(42, ((delegate* unmanaged<int>)stub)());
    }

    [Fact]
    public void Code_larger_than_a_page_is_refused_with_a_reason()
    {
        nint stub = VirtualMemory.CreateExecutableStub(new byte[Environment.SystemPageSize + 1], out string? error);

        Assert.Equal(0, stub);
        Assert.NotNull(error);
    }
}
