using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace PageExt.AspNetCore.Tests;

/// <summary>A test that needs an IPv4 address of this machine that is not loopback; skipped, saying so, where there is none.</summary>
public sealed class NonLoopbackFactAttribute : FactAttribute
{
    public NonLoopbackFactAttribute()
    {
        if (Address is null)
        {
            Skip = "this machine has no non-loopback IPv4 address (ip -4 addr) to connect from";
        }
    }

    public static IPAddress? Address { get; } = NetworkInterface.GetAllNetworkInterfaces()
        .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
        .SelectMany(i => i.GetIPProperties().UnicastAddresses)
        .Select(a => a.Address)
        .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
}
