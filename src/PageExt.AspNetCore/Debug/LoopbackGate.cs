using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace PageExt.AspNetCore.Debug;

/// <summary>
/// Who may read the debug endpoints: what debugfs and /proc/pagetypeinfo show is the memory layout
/// and the code paths of the process, so by default only a client on the same host (a loopback
/// address) may. An app opts in to other clients by putting an authorization policy on the
/// endpoints (<c>MapPageExtDebug().RequireAuthorization("policy")</c>): the authorization
/// middleware has then decided before the handler runs, and the gate steps aside.
/// </summary>
internal static class LoopbackGate
{
    public const string RefusalText =
        "PageExt debug endpoints answer loopback clients only; the app opts in to others with MapPageExtDebug().RequireAuthorization(policy)\n";

    public static bool Allows(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<IAuthorizeData>() is not null && metadata.GetMetadata<IAllowAnonymous>() is null)
        {
            return true;
        }

        // No address (a Unix socket, a named pipe, an in-memory test server) is not known to be local.
        var remote = context.Connection.RemoteIpAddress;
        return remote is not null && IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);
    }
}
