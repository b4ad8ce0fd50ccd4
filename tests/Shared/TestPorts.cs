using System.Net;
using System.Net.Sockets;

namespace Millwright.Testing;

internal static class TestPorts
{
    /// <summary>A loopback port nothing listens on: bound once to find it, then released.</summary>
    public static int Unused()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
