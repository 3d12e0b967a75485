using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Net.Sockets;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations.Verification;

namespace IntegrationsPortal.Features.Delivery.Senders;

/// <summary>
/// Email through the integration's SMTP server (System.Net.Mail: STARTTLS and auth). SmtpClient
/// cannot take a connect callback, so the outbound policy checks the host's addresses just
/// before connecting.
/// </summary>
public sealed class EmailSender(OutboundAddressPolicy policy) : IDeliverySender
{
    public bool Handles(string typeKey) => typeKey == "email";

    public async Task<DeliveryOutcome> SendAsync(ConfiguredIntegrationMessage message, CancellationToken ct)
    {
        var integration = message.Integration;
        var host = integration.Get("smtp_host") ?? "";
        var port = int.TryParse(integration.Get("smtp_port"), CultureInfo.InvariantCulture, out var p) ? p : 587;
        var from = integration.Get("from") ?? "";
        var recipients = PropertyValidator.SplitList(integration.Get("recipients"));
        var subject = Payloads.Field(message.Payload, "subject") ?? $"Notification: {message.EventType}";
        var body = Payloads.Text(message.Payload);
        var recorded = new DeliveryOutcome
        {
            Url = $"smtp://{host}:{port}",
            Method = "SMTP",
            RequestHeaders = $"From: {from}\nTo: {string.Join(", ", recipients)}\nSubject: {subject}\nMessage-Id: <{message.MessageId}@integrations-portal>\n",
            RequestBody = HttpDelivery.Cap(body),
        };

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
                EnableSsl = integration.Get("starttls") == "true",
                DeliveryMethod = SmtpDeliveryMethod.Network,
                Timeout = 30_000,
            };
            if (integration.Get("username") is { Length: > 0 } user)
            {
                smtp.Credentials = new NetworkCredential(user, integration.Get("password"));
            }

            await smtp.SendMailAsync(mail, ct);
            return recorded with { StatusCode = 250, ResponseBody = $"Accepted for {recipients.Count} recipient(s)." };
        }
        catch (OutboundAddressRefusedException e)
        {
            return recorded with { Failure = FailureKind.Final, ErrorClass = "refused_address", ErrorMessage = e.Message };
        }
        catch (SmtpException e)
        {
            var status = (int)e.StatusCode;
            return recorded with
            {
                StatusCode = status > 0 ? status : null,
                Failure = FailureKind.Retry,
                ErrorClass = "smtp",
                ErrorMessage = SecretScrubber.Scrub($"The SMTP server refused the message: {e.Message}", integration),
            };
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return recorded with { Failure = FailureKind.Retry, ErrorClass = "network", ErrorMessage = "Could not reach the SMTP server." };
        }
    }
}
