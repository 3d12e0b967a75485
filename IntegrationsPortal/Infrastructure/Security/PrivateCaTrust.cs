using System.Net;
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

/// <summary>
/// <see cref="System.Net.Mail.SmtpClient"/> has no certificate callback of its own: for STARTTLS it
/// hands <see cref="ServicePointManager.ServerCertificateValidationCallback"/> to its SslStream. So
/// one process-wide callback is installed once; it accepts what the default check accepts, and
/// otherwise asks the send in progress (carried in an <see cref="AsyncLocal{T}"/>, so two sends
/// with different CAs never mix). With no send in progress it refuses exactly as the default does,
/// so any other user of ServicePointManager is unaffected.
/// </summary>
public sealed class SmtpServerTrust : IDisposable
{
    private static readonly AsyncLocal<SmtpServerTrust?> InProgress = new();
    private static int _installed;

    private readonly X509Certificate2? _ca;

    private SmtpServerTrust(X509Certificate2? ca) => _ca = ca;

    /// <summary>Why the last handshake of this send was refused; None when it was not.</summary>
    public SslPolicyErrors Refused { get; private set; }

    public bool HasCa => _ca is not null;

    /// <summary>Trust <paramref name="ca"/> (besides the system's roots) for the SMTP sends of the calling flow until disposed.</summary>
    public static SmtpServerTrust Begin(X509Certificate2? ca)
    {
        if (Interlocked.Exchange(ref _installed, 1) == 0)
        {
#pragma warning disable SYSLIB0014 // obsolete for HTTP, but still what SmtpClient reads
            ServicePointManager.ServerCertificateValidationCallback = Check;
#pragma warning restore SYSLIB0014
        }

        var trust = new SmtpServerTrust(ca);
        InProgress.Value = trust;
        return trust;
    }

    private static bool Check(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (InProgress.Value is not { } trust)
        {
            return errors == SslPolicyErrors.None;
        }

        var accepted = PrivateCaTrust.Accepts(certificate, chain, errors, trust._ca);
        trust.Refused = accepted ? SslPolicyErrors.None : errors;
        return accepted;
    }

    public void Dispose()
    {
        if (InProgress.Value == this)
        {
            InProgress.Value = null;
        }

        _ca?.Dispose();
    }
}
