using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Http;
using IntegrationsPortal.Infrastructure.Security;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace IntegrationsPortal.Features.Delivery.Senders;

/// <summary>The Email type's server settings, read the same way by the sender and the verifier.</summary>
public sealed record SmtpSettings(string Host, int Port, bool StartTls, string? CaPem, string? UserName, string Password, string From)
{
    public string Server => $"{Host}:{Port}";

    public static SmtpSettings Of(ConfiguredIntegration integration) => Of(EmailIntegrationOptions.From(integration));

    public static SmtpSettings Of(EmailIntegrationOptions options) =>
        new(options.Host, options.Port, options.StartTls, options.CaCertificate, options.Username, options.Password, options.FromAddress);
}

/// <summary>
/// One MailKit SMTP connection made the portal's way: the socket is opened by the
/// <see cref="OutboundAddressPolicy"/> (so the check is on the address actually dialled, at connect
/// time) and handed to MailKit with the host name, which TLS uses for SNI and the certificate's name
/// check. The integration's private CA is trusted by this connection's own certificate callback and
/// by nothing else in the process (docs/decisions/008).
/// </summary>
public sealed class SmtpSession : SmtpClient
{
    private readonly CommandTracker _commands;
    private readonly X509Certificate2? _ca;

    public SmtpSession(SmtpSettings settings) : this(settings, new CommandTracker())
    {
    }

    private SmtpSession(SmtpSettings settings, CommandTracker commands) : base(commands)
    {
        Settings = settings;
        _commands = commands;
        _ca = settings.StartTls ? PrivateCaTrust.Load(settings.CaPem) : null;
        ServerCertificateValidationCallback = Check;
        // As for the HTTP channels (SslStream's default): an unreachable CRL must not stop every send.
        CheckCertificateRevocation = false;
    }

    public SmtpSettings Settings { get; }

    /// <summary>Why this connection refused the server's certificate; None when it did not.</summary>
    public SslPolicyErrors CertificateRefused { get; private set; }

    /// <summary>The SMTP command the server answered last (EHLO, STARTTLS, AUTH...); null while only its greeting came.</summary>
    public string? LastCommand => _commands.Last;

    /// <summary>Connects through the policy; throws <see cref="OutboundAddressRefusedException"/> before dialling a refused address.</summary>
    public async Task OpenAsync(OutboundAddressPolicy policy, CancellationToken ct)
    {
#pragma warning disable CA2000 // MailKit owns the socket from here, and closes it when the session fails or ends.
        var socket = await policy.ConnectAsync(Settings.Host, Settings.Port, ct);
#pragma warning restore CA2000
        await ConnectAsync(socket, Settings.Host, Settings.Port, Settings.StartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, ct);
    }

    /// <summary>A command MailKit has no method for (MAIL FROM without a message, for verification).</summary>
    public Task<SmtpResponse> CommandAsync(string command, CancellationToken ct) => SendCommandAsync(command, ct);

    /// <summary>A failed handshake in words an operator can act on.</summary>
    public string DescribeTlsFailure() =>
        $"STARTTLS with {Settings.Server} failed: {(CertificateRefused == SslPolicyErrors.None
            ? "the TLS handshake did not complete"
            : PrivateCaTrust.Describe(CertificateRefused, _ca is not null))}.";

    /// <summary>The reply as the server gave it: "535 5.7.8 Authentication credentials invalid".</summary>
    public static string Reply(SmtpStatusCode code, string text) =>
        $"{(int)code} {text.Split('\n', 2)[0]}".Trim();

    private bool Check(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var accepted = PrivateCaTrust.Accepts(certificate, chain, errors, _ca);
        CertificateRefused = accepted ? SslPolicyErrors.None : errors;
        return accepted;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _ca?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// MailKit's protocol log, kept to the verb of the last command, so a refusal during connect can
    /// say which step the server refused. Only known verbs are kept: AUTH's continuation lines are
    /// credentials and are never looked at further.
    /// </summary>
    private sealed class CommandTracker : IProtocolLogger
    {
        private static readonly string[] Verbs = ["EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "QUIT", "NOOP"];

        public string? Last { get; private set; }

        public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

        public void LogConnect(Uri uri) => Last = null;

        public void LogClient(byte[] buffer, int offset, int count)
        {
            var line = Encoding.ASCII.GetString(buffer, offset, Math.Min(count, 16));
            var verb = Verbs.FirstOrDefault(v => line.StartsWith(v, StringComparison.OrdinalIgnoreCase) && (line.Length == v.Length || line[v.Length] is ' ' or '\r'));
            Last = verb ?? Last;
        }

        public void LogServer(byte[] buffer, int offset, int count)
        {
        }

        public void Dispose()
        {
        }
    }
}
