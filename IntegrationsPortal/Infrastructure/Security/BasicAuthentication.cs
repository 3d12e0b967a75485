using System.Net.Http.Headers;
using System.Text;

namespace IntegrationsPortal.Infrastructure.Security;

/// <summary>HTTP Basic credentials (RFC 7617, UTF-8), for the verifiers and the senders alike.</summary>
public static class BasicAuthentication
{
    public static AuthenticationHeaderValue Header(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
}
