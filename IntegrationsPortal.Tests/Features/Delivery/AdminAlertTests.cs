using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Accounts.Invitations;
using IntegrationsPortal.Features.Delivery.Invitations;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Delivery;

/// <summary>
/// When deliveries through an integration stop, the organization's Admins get an email through the
/// Email integration marked for alerts, delivered by a real aiosmtpd; Operators and the Email
/// integration's own recipients do not.
/// </summary>
public class AdminAlertTests : IAsyncLifetime
{
    private const string PortalUrl = "https://portal.acme.test";

    private SmtpServer _smtp = default!;
    private LoopbackReceiver _receiver = default!;
    private DeliveryHarness _harness = default!;

    public async ValueTask InitializeAsync()
    {
        _smtp = await SmtpServer.StartAsync();
        _receiver = await LoopbackReceiver.StartAsync();
        _harness = await DeliveryHarness.StartAsync(settings: new()
        {
            ["Portal:Delivery:FailureThreshold"] = "3", ["Portal:Delivery:FailureSpan"] = "01:00:00",
            ["Portal:PublicUrl"] = PortalUrl,
        });
        await _harness.Services.AddUserAsync(_harness.Tenant, "second.admin@acme.test", PortalRoles.Admin);
        await _harness.Services.AddUserAsync(_harness.Tenant, "operator@acme.test", PortalRoles.Operator);
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _receiver.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task IntegrationThatKeepsFailing_GoesToError_AndEveryAdminIsEmailed_NotTheOperator()
    {
        _receiver.Respond = (context, _) => { context.Response.StatusCode = 500; return Task.CompletedTask; };
        var mail = await CreateMailAsync(alerts: true);
        var feed = await _harness.CreateAsync("http", new() { ["url"] = _receiver.Url.ToString(), ["retry_strategy"] = "NONE" }, "Meter feed");

        // Three failures, the last an hour after the first: the threshold and the span are both reached.
        for (var i = 0; i < 3; i++)
        {
            await _harness.EnqueueAsync(feed);
            await _harness.DispatchAsync();
            _harness.Clock.Advance(TimeSpan.FromMinutes(30));
        }

        Assert.Equal(IntegrationStatus.Error, (await _harness.IntegrationAsync(feed)).Status);
        await _harness.DispatchAsync();

        var email = SmtpServer.Readable(Assert.Single(_smtp.Messages()));
        Assert.Contains("Subject: Deliveries through Meter feed stopped", email, StringComparison.Ordinal);
        Assert.Equal("admin@acme.test, second.admin@acme.test", Header(email, "X-RcptTo"));
        Assert.DoesNotContain("operator@acme.test", email, StringComparison.Ordinal);
        Assert.DoesNotContain("mail-list@acme.test", email, StringComparison.Ordinal);
        Assert.Contains("Deliveries stopped: the last 3 attempts failed over 1 h.", email, StringComparison.Ordinal);
        Assert.Contains($"/integrations/{feed}", email, StringComparison.Ordinal);
        var sent = Assert.Single((await HistoryAsync(mail)).Items);
        Assert.Equal(AdminAlerts.EventType, sent.EventType);
        Assert.Equal(DeliveryStatus.Delivered, sent.Status);
    }

    [Fact]
    public async Task NoEmailIntegrationMarkedForAlerts_NobodyIsEmailed()
    {
        _receiver.Respond = (context, _) => { context.Response.StatusCode = 410; return Task.CompletedTask; };
        var mail = await CreateMailAsync(alerts: false);
        var hook = await _harness.CreateAsync("webhook", new() { ["url"] = _receiver.Url.ToString() }, "Hook");

        await _harness.EnqueueAsync(hook);
        await _harness.DispatchAsync();
        await _harness.DispatchAsync();

        Assert.Equal(IntegrationStatus.Error, (await _harness.IntegrationAsync(hook)).Status);
        Assert.Empty((await HistoryAsync(mail)).Items);
        Assert.Empty(_smtp.Messages());
    }

    [Fact]
    public async Task AnOrdinaryMessage_CannotPoseAsAnAlert_NorRedirectTheMail()
    {
        var mail = await CreateMailAsync(alerts: true);
        const string redirect = """{"subject":"Hello","text":"Hi","to":["attacker@evil.test"]}""";

        var refused = await Assert.ThrowsAsync<PortalException>(() => _harness.AsAdminAsync(sp =>
            sp.GetRequiredService<DeliveryService>().EnqueueAsync(mail, " Portal.Alert", [redirect])));
        await _harness.EnqueueAsync(mail, redirect);
        await _harness.DispatchAsync();

        Assert.Equal(["Event types starting with 'portal.' are reserved for the portal's own alerts."], refused.FieldErrors["eventType"]);
        var email = Assert.Single(_smtp.Messages());
        Assert.Equal("mail-list@acme.test", Header(email, "X-RcptTo"));
        Assert.DoesNotContain("attacker@evil.test", Header(email, "To"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invitation_IsEmailedToTheInvitee_WithAWorkingLink_ThatIsStoredNowhere()
    {
        var mail = await CreateMailAsync(alerts: true);

        var issued = await _harness.AsAdminAsync(sp => sp.GetRequiredService<InvitationService>()
            .InviteAsync(new InvitationInput { Email = "nina@example.test", Role = PortalRoles.Operator }));
        await _harness.DispatchAsync();

        // The invitee gets the mail, with the link the inviter was shown once; it opens the invitation.
        var email = SmtpServer.Readable(Assert.Single(_smtp.Messages()));
        Assert.Equal("nina@example.test", Header(email, "X-RcptTo"));
        var link = Regex.Match(email, Regex.Escape(PortalUrl) + @"/invitations/[A-Za-z0-9_-]+").Value;
        Assert.Equal(PortalUrl + issued.Link, link);
        var token = link[(PortalUrl.Length + "/invitations/".Length)..];
        var opened = await _harness.AsAdminAsync(sp => sp.GetRequiredService<InvitationService>().FindAsync(token));
        Assert.Equal(("nina@example.test", PortalRoles.Operator), (opened?.Email, opened?.Role));

        // The delivery history shows that it went, but not the link: neither the message nor the attempt.
        var sent = Assert.Single((await HistoryAsync(mail)).Items);
        Assert.Equal((InvitationEmail.EventType, DeliveryStatus.Delivered), (sent.EventType, sent.Status));
        var detail = System.Text.Json.JsonSerializer.Serialize(await _harness.DetailAsync(sent.Id));
        Assert.Contains(InvitationEmail.LinkPlaceholder, detail, StringComparison.Ordinal);
        Assert.DoesNotContain(token, detail, StringComparison.Ordinal);
        // Nor anything the portal keeps: the audit trail, the outbox, the attempts, any table of the database file.
        Assert.False(await StoredAnywhereAsync(token), "The invitation link's token is stored in the database.");
    }

    private Task<bool> StoredAnywhereAsync(string text) => _harness.Portal.StoredAnywhereAsync(text, TestContext.Current.CancellationToken);

    /// <summary>An Email integration on the aiosmtpd, made active by the real SMTP verifier.</summary>
    private async Task<Guid> CreateMailAsync(bool alerts)
    {
        var id = await _harness.CreateAsync("email", new()
        {
            ["smtp_host"] = "127.0.0.1", ["smtp_port"] = _smtp.PortText, ["starttls"] = "false",
            ["from"] = "portal@acme.test", ["recipients"] = "mail-list@acme.test", ["alerts"] = alerts ? "true" : "false",
        }, "Alerts mail");
        Assert.Equal(IntegrationStatus.Active, (await _harness.VerifyAsync(id)).Status);
        return id;
    }

    private Task<PagedResult<DeliveryRow>> HistoryAsync(Guid integrationId) =>
        _harness.AsAdminAsync(sp => sp.GetRequiredService<DeliveryService>().ListAsync(new DeliveryQuery { IntegrationId = integrationId }));

    private static string Header(string email, string name) =>
        email.Split('\n').Select(l => l.TrimEnd('\r')).First(l => l.StartsWith(name + ": ", StringComparison.Ordinal))[(name.Length + 2)..];
}

[OnPostgreSQL]
public sealed class AdminAlertOnPostgreSQLTests : AdminAlertTests;
