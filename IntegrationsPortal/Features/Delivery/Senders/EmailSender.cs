using System.Net.Sockets;
using IntegrationsPortal.Features.Delivery.Invitations;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations.Verification;
using IntegrationsPortal.Infrastructure.Http;
using MailKit.Net.Smtp;
using Microsoft.AspNetCore.DataProtection;
using MailKit.Security;
using MimeKit;

namespace IntegrationsPortal.Features.Delivery.Senders;

/// <summary>
/// Email through the integration's SMTP server with MailKit, over an <see cref="SmtpSession"/>: the
/// outbound policy opens the socket, and a private CA is trusted by this connection only.
/// </summary>
[ForTypes(TypeKeys.Email)]
public sealed class EmailSender(OutboundAddressPolicy policy, IDataProtectionProvider protection) : IDeliverySender
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public string SamplePayload(IntegrationType type) => """{ "subject": "Test from IntegrationsPortal", "text": "This is a test message." }""";

    public async Task<DeliveryOutcome> SendAsync(ConfiguredIntegrationMessage message, CancellationToken ct)
    {
        var integration = message.Integration;
        var options = EmailIntegrationOptions.From(integration);
        var settings = SmtpSettings.Of(options);
        // Portal alerts go to the organization's Admins and invitations to the invitee, set by the portal
        // itself; every other message to the configured list.
        var recipients = message.EventType is AdminAlerts.EventType or InvitationEmail.EventType
            ? AdminAlerts.Recipients(message.Payload)
            : EmailIntegrationOptions.From(integration).Recipients;
        var subject = Payloads.Field(message.Payload, "subject") ?? $"Notification: {message.EventType}";
        var body = Payloads.Text(message.Payload);
        // An invitation's link goes into the mail only; the recorded attempt keeps the placeholder.
        var mailed = message.EventType == InvitationEmail.EventType ? InvitationEmail.MailedText(protection, message.Payload, body) : body;
        var messageId = $"{message.MessageId}@integrations-portal";
        var recorded = new DeliveryOutcome
        {
            Url = $"smtp://{settings.Server}",
            Method = "SMTP",
            RequestHeaders = $"From: {settings.From}\nTo: {string.Join(", ", recipients)}\nSubject: {subject}\nMessage-Id: <{messageId}>\n",
            RequestBody = HttpDelivery.Cap(body),
        };
        if (recipients.Count == 0)
        {
            return recorded with { Failure = FailureKind.Final, ErrorClass = "recipients", ErrorMessage = "The message has no recipients." };
        }

        using var mail = new MimeMessage { Subject = subject, MessageId = messageId, Body = new TextPart("plain") { Text = mailed } };
        mail.From.Add(MailboxAddress.Parse(settings.From));
        mail.To.AddRange(recipients.Select(MailboxAddress.Parse));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        using var session = new SmtpSession(settings);
        try
        {
            await session.OpenAsync(policy, timeout.Token);
            if (settings.UserName is { } user)
            {
                await session.AuthenticateAsync(user, settings.Password, timeout.Token);
            }

            await session.SendAsync(mail, timeout.Token);
            await session.DisconnectAsync(quit: true, timeout.Token);
            return recorded with { StatusCode = 250, ResponseBody = $"Accepted for {recipients.Count} recipient(s)." };
        }
        catch (OutboundAddressRefusedException e)
        {
            return recorded with { Failure = FailureKind.Final, ErrorClass = "refused_address", ErrorMessage = e.Message };
        }
        catch (SslHandshakeException)
        {
            return recorded with { Failure = FailureKind.Retry, ErrorClass = "tls", ErrorMessage = session.DescribeTlsFailure() };
        }
        catch (Exception e) when (Explain(e, session) is { } refusal)
        {
            return recorded with
            {
                StatusCode = refusal.Status,
                Failure = FailureKind.Retry,
                ErrorClass = refusal.ErrorClass,
                ErrorMessage = refusal.Message, // the dispatcher redacts secrets from the whole outcome
            };
        }
        catch (Exception e) when (e is SocketException or IOException or SmtpProtocolException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return recorded with { Failure = FailureKind.Retry, ErrorClass = "network", ErrorMessage = "Could not reach the SMTP server." };
        }
    }

    /// <summary>What the server refused, in words that say what the operator should change; null for anything else.</summary>
    private static (int? Status, string ErrorClass, string Message)? Explain(Exception e, SmtpSession session)
    {
        var settings = session.Settings;
        switch (e)
        {
            case AuthenticationException { InnerException: SmtpCommandException refused }:
                return ((int)refused.StatusCode, "auth",
                    $"The SMTP server did not accept the username and password ({SmtpSession.Reply(refused.StatusCode, refused.Message)}).");
            case NotSupportedException when !session.IsConnected:
                return (null, "smtp", "The SMTP server does not offer STARTTLS; turn off 'Use STARTTLS' or use a server that does.");
            case NotSupportedException when !session.IsAuthenticated && settings.UserName is not null:
                return (null, "auth", settings.StartTls
                    ? "The SMTP server offers no login mechanism the portal can use; clear the username and password or use another server."
                    : "The SMTP server does not offer AUTH without TLS; turn on 'Use STARTTLS'.");
            case SmtpCommandException { StatusCode: var code, Message: var text }:
                var reply = SmtpSession.Reply(code, text);
                var (errorClass, words) = (int)code switch
                {
                    530 when !settings.StartTls && text.Contains("STARTTLS", StringComparison.OrdinalIgnoreCase) =>
                        ("smtp", $"The SMTP server requires STARTTLS ({reply}): turn on 'Use STARTTLS'."),
                    530 or 535 when settings.UserName is null => ("auth", $"The SMTP server requires a login ({reply}): set a username and password."),
                    530 or 535 => ("auth", $"The SMTP server did not accept the username and password ({reply})."),
                    _ => ("smtp", $"The SMTP server refused the message ({reply})."),
                };
                return ((int)code, errorClass, words);
            default:
                return null;
        }
    }
}
