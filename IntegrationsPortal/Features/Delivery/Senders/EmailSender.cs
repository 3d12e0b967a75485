using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Net.Sockets;
using System.Security.Authentication;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations.Verification;
using IntegrationsPortal.Infrastructure.Security;
using IntegrationsPortal.Infrastructure.Http;

namespace IntegrationsPortal.Features.Delivery.Senders;

/// <summary>
/// Email through the integration's SMTP server (System.Net.Mail: STARTTLS and auth). SmtpClient
/// cannot take a connect callback, so the outbound policy checks the host's addresses just
/// before connecting; nor a certificate callback, so a private CA is trusted through
/// <see cref="SmtpServerTrust"/> for this send only.
/// </summary>
[ForTypes(TypeKeys.Email)]
public sealed class EmailSender(OutboundAddressPolicy policy) : IDeliverySender
{
    public string SamplePayload(IntegrationType type) => """{ "subject": "Test from IntegrationsPortal", "text": "This is a test message." }""";

    public async Task<DeliveryOutcome> SendAsync(ConfiguredIntegrationMessage message, CancellationToken ct)
    {
        var integration = message.Integration;
        var options = EmailIntegrationOptions.From(integration);
        var (host, port, starttls, from) = (options.Host, options.Port, options.StartTls, options.FromAddress);
        // Portal alerts go to the organization's Admins, set by the portal itself; every other message to the configured list.
        var recipients = message.EventType == AdminAlerts.EventType
            ? AdminAlerts.Recipients(message.Payload)
            : options.Recipients;
        var subject = Payloads.Field(message.Payload, "subject") ?? $"Notification: {message.EventType}";
        // CRLF, as SMTP has it, so the quoted-printable body keeps real line breaks rather than =0A.
        var body = Payloads.Text(message.Payload).ReplaceLineEndings("\r\n");
        var recorded = new DeliveryOutcome
        {
            Url = $"smtp://{host}:{port}",
            Method = "SMTP",
            RequestHeaders = $"From: {from}\nTo: {string.Join(", ", recipients)}\nSubject: {subject}\nMessage-Id: <{message.MessageId}@integrations-portal>\n",
            RequestBody = HttpDelivery.Cap(body),
        };
        if (recipients.Count == 0)
        {
            return recorded with { Failure = FailureKind.Final, ErrorClass = "recipients", ErrorMessage = "The message has no recipients." };
        }

        using var trust = SmtpServerTrust.Begin(starttls ? PrivateCaTrust.Load(options.CaCertificate) : null);
        try
        {
            await policy.ResolveAsync(host, ct);
            using var mail = new MailMessage { From = new MailAddress(from), Subject = subject, Body = body };
            foreach (var recipient in recipients)
            {
                mail.To.Add(recipient);
            }

            mail.Headers.Add("Message-Id", $"<{message.MessageId}@integrations-portal>");
            using var smtp = new SmtpClient(host, port)
            {
                EnableSsl = starttls,
                DeliveryMethod = SmtpDeliveryMethod.Network,
                Timeout = 30_000,
            };
            if (options.Username is { } user)
            {
                smtp.Credentials = new NetworkCredential(user, options.Password);
            }

            await smtp.SendMailAsync(mail, ct);
            return recorded with { StatusCode = 250, ResponseBody = $"Accepted for {recipients.Count} recipient(s)." };
        }
        catch (OutboundAddressRefusedException e)
        {
            return recorded with { Failure = FailureKind.Final, ErrorClass = "refused_address", ErrorMessage = e.Message };
        }
        catch (SmtpException e) when (e.InnerException is AuthenticationException)
        {
            return recorded with
            {
                Failure = FailureKind.Retry,
                ErrorClass = "tls",
                ErrorMessage = $"STARTTLS with {host}:{port} failed: {PrivateCaTrust.Describe(trust.Refused, trust.HasCa)}.",
            };
        }
        catch (SmtpException e)
        {
            var status = (int)e.StatusCode;
            var (errorClass, explanation) = Explain(e, hasLogin: options.Username is not null);
            return recorded with
            {
                StatusCode = status > 0 ? status : null,
                Failure = FailureKind.Retry,
                ErrorClass = errorClass,
                ErrorMessage = SecretScrubber.Scrub(explanation, integration),
            };
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return recorded with { Failure = FailureKind.Retry, ErrorClass = "network", ErrorMessage = "Could not reach the SMTP server." };
        }
    }

    /// <summary>
    /// SmtpClient goes on to MAIL FROM when AUTH is refused (535), so a wrong password surfaces as
    /// the server's 530 "authentication required"; say what the operator should change.
    /// </summary>
    private static (string ErrorClass, string Message) Explain(SmtpException e, bool hasLogin)
    {
        const string marker = "The server response was: ";
        var at = e.Message.IndexOf(marker, StringComparison.Ordinal);
        var code = (int)e.StatusCode;
        var reply = $"{code} {(at >= 0 ? e.Message[(at + marker.Length)..] : e.Message)}";
        return code switch
        {
            530 when reply.Contains("STARTTLS", StringComparison.OrdinalIgnoreCase) =>
                ("smtp", $"The SMTP server requires STARTTLS ({reply}): turn on 'Use STARTTLS'."),
            530 or 535 when hasLogin => ("auth", $"The SMTP server did not accept the username and password ({reply})."),
            530 or 535 => ("auth", $"The SMTP server requires a login ({reply}): set a username and password."),
            _ => ("smtp", $"The SMTP server refused the message: {e.Message}"),
        };
    }
}
