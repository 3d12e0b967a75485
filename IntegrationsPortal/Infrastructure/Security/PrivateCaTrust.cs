using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IntegrationsPortal.Infrastructure.Security;

/// <summary>
/// Trust in a server whose certificate is signed by a private CA that the operator pasted in (PEM).
/// That CA is added for that one connection only. It can explain an untrusted chain and nothing else:
/// a wrong host name or a missing certificate is still refused, and so is an expired one or one
/// not meant for servers. Validation is never switched off.
/// </summary>
public static class PrivateCaTrust
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    /// <summary>The CA from a property's PEM text; null when none is set.</summary>
    /// <exception cref="CryptographicException">The text is not a PEM certificate (the property validator refuses such text first).</exception>
    public static X509Certificate2? Load(string? pem) =>
        string.IsNullOrWhiteSpace(pem) ? null : X509Certificate2.CreateFromPem(pem);

    /// <summary>Whether to go on with a TLS handshake, for a <see cref="RemoteCertificateValidationCallback"/>.</summary>
    public static bool Accepts(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2? ca)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (ca is null || certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        if (presented is not null)
        {
            // Intermediates the server sent along.
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    /// <summary>A refusal in words an operator can act on.</summary>
    public static string Describe(SslPolicyErrors errors, bool hasCa) => errors switch
    {
        SslPolicyErrors.RemoteCertificateNameMismatch => "its certificate is for another host name",
        SslPolicyErrors.RemoteCertificateNotAvailable => "it sent no certificate",
        SslPolicyErrors.RemoteCertificateChainErrors when hasCa => "its certificate is not signed by the CA certificate given, or is expired",
        SslPolicyErrors.RemoteCertificateChainErrors =>
            "its certificate is not signed by a trusted CA (for a private CA, paste its certificate under 'CA certificate (PEM)')",
        _ => $"its certificate is not trusted ({errors})",
    };
}
