using System.Net.Security;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Delivery.Senders;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Integrations.Verification;
using IntegrationsPortal.Infrastructure.Http;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace IntegrationsPortal.Features.Delivery.Verification;

/// <summary>
/// SMTP, checked as far as a real send goes without sending, over the same <see cref="SmtpSession"/>
/// as the sender: greeting, EHLO, STARTTLS with the certificate checked as the sender checks it
/// (private CA included), AUTH with the configured login, and MAIL FROM with the From address; then
/// RSET and QUIT. So a refused address, an untrusted certificate, a wrong password or a refused
/// sender shows up at verification, not at the first alert.
/// </summary>
[ForTypes(TypeKeys.Email)]
public sealed class SmtpVerifier(OutboundAddressPolicy policy) : IIntegrationVerifier
{
    public async Task<VerificationResult> VerifyAsync(ConfiguredIntegration c, CancellationToken ct)
    {
        var settings = SmtpSettings.Of(c);
        var server = settings.Server;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        using var session = new SmtpSession(settings);
        try
        {
            await session.OpenAsync(policy, timeout.Token);
            return await LogInAsync(session, timeout.Token) ?? await SendFromAsync(session, timeout.Token);
        }
        catch (OutboundAddressRefusedException e)
        {
            // Final: the address will not change by itself (the job would retry an IOException).
            return VerificationResult.Failed(e.Message);
        }
        catch (SslHandshakeException)
        {
            // A refused certificate needs a change of settings; a handshake cut short may pass later.
            return session.CertificateRefused == SslPolicyErrors.None
                ? VerificationResult.RetryLater(session.DescribeTlsFailure())
                : VerificationResult.Failed(session.DescribeTlsFailure());
        }
        catch (NotSupportedException)
        {
            return VerificationResult.Failed($"{server} does not offer STARTTLS; turn the option off or use a server that does.");
        }
        catch (SmtpCommandException e)
        {
            var reply = SmtpSession.Reply(e.StatusCode, e.Message);
            return session.LastCommand switch
            {
                null when (int)e.StatusCode is >= 400 and < 500 => VerificationResult.RetryLater($"{server} is not taking connections now ({reply})."),
                null => VerificationResult.Failed($"{server} did not greet as an SMTP server ({reply})."),
                "STARTTLS" => VerificationResult.Failed($"{server} refused STARTTLS ({reply})."),
                _ => VerificationResult.Failed($"{server} refused EHLO ({reply})."),
            };
        }
        catch (SmtpProtocolException)
        {
            return VerificationResult.RetryLater($"{server} hung up or did not answer as an SMTP server.");
        }
    }

    /// <summary>MAIL FROM with the From address, then RSET: the server says whether it would take this sender's mail.</summary>
    private static async Task<VerificationResult> SendFromAsync(SmtpSession session, CancellationToken ct)
    {
        var (server, from, user) = (session.Settings.Server, session.Settings.From, session.Settings.UserName);
        var mail = await session.CommandAsync($"MAIL FROM:<{from}>", ct);
        await session.CommandAsync("RSET", ct);
        await session.DisconnectAsync(quit: true, ct);
        var said = SmtpSession.Reply(mail.StatusCode, mail.Response);
        return (int)mail.StatusCode switch
        {
            250 => VerificationResult.Success(
                $"{server} accepted {(user is null ? "mail" : $"the login of {user}")} from {from}{(session.Settings.StartTls ? " over STARTTLS" : "")}."),
            530 when !session.Settings.StartTls && mail.Response.Contains("STARTTLS", StringComparison.OrdinalIgnoreCase) =>
                VerificationResult.Failed($"{server} requires STARTTLS ({said}): turn on 'Use STARTTLS'."),
            530 when user is null => VerificationResult.Failed($"{server} requires a login ({said}): set a username and password."),
            >= 400 and < 500 => VerificationResult.RetryLater($"{server} did not take mail from {from} for now ({said})."),
            _ => VerificationResult.Failed($"{server} refused mail from {from} ({said})."),
        };
    }

    /// <summary>Logs in with the best mechanism both sides know; null when the server accepted the login or none is configured.</summary>
    private static async Task<VerificationResult?> LogInAsync(SmtpSession session, CancellationToken ct)
    {
        var server = session.Settings.Server;
        if (session.Settings.UserName is not { } user)
        {
            return null;
        }

        if (session.AuthenticationMechanisms.Count == 0)
        {
            return VerificationResult.Failed(session.Settings.StartTls
                ? $"{server} does not offer AUTH, so the username and password cannot be used; clear them or use another server."
                : $"{server} does not offer AUTH without TLS; turn on 'Use STARTTLS'.");
        }

        try
        {
            await session.AuthenticateAsync(user, session.Settings.Password, ct);
            return null;
        }
        catch (NotSupportedException)
        {
            return VerificationResult.Failed(
                $"{server} offers only AUTH {string.Join(' ', session.AuthenticationMechanisms)}; the portal cannot log in with any of them.");
        }
        catch (AuthenticationException e) when (e.InnerException is SmtpCommandException refused)
        {
            var reply = SmtpSession.Reply(refused.StatusCode, refused.Message);
            return (int)refused.StatusCode is >= 400 and < 500
                ? VerificationResult.RetryLater($"{server} could not check the login now ({reply}).")
                : VerificationResult.Failed($"{server} refused the username or password ({reply}).");
        }
    }
}
