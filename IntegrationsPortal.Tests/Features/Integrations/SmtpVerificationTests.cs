using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Tests.Features.Delivery;

namespace IntegrationsPortal.Tests.Features.Integrations;

/// <summary>
/// The portal verifies an Email integration by going as far as a real send would (STARTTLS with
/// the certificate checked, AUTH, MAIL FROM) against a real aiosmtpd, through the running scheduler.
/// </summary>
public sealed class SmtpVerificationTests : IAsyncLifetime
{
    private const string User = SmtpServer.SubmissionUser;
    private const string Password = SmtpServer.SubmissionPassword;
    private readonly PortalAppFactory _app = new();
    private SmtpServer _smtp = default!;
    private Tenant _acme = default!;

    public async ValueTask InitializeAsync()
    {
        _smtp = await SmtpServer.StartSubmissionAsync();
        _acme = await _app.Services.SetUpFirstOrganizationAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task RightLoginOverStartTls_WithTheCa_MakesTheIntegrationActive_WithoutSendingMail()
    {
        var id = await CreateAsync(new() { ["username"] = User, ["password"] = Password, ["ca_certificate"] = _smtp.CaPem });

        var detail = await _app.Services.WaitUntilVerifiedAsync(_acme, id);

        Assert.Equal(IntegrationStatus.Active, detail.Status);
        Assert.NotNull(detail.VerifiedAt);
        Assert.Null(detail.LastError);
        Assert.Empty(_smtp.Messages());
    }

    [Fact]
    public async Task WrongPassword_PutsTheIntegrationInError_SayingTheLoginWasRefused_WithoutThePassword()
    {
        const string wrong = "not-the-smtp-password-77";
        var id = await CreateAsync(new() { ["username"] = User, ["password"] = wrong, ["ca_certificate"] = _smtp.CaPem });

        var detail = await _app.Services.WaitUntilVerifiedAsync(_acme, id);

        Assert.Equal(IntegrationStatus.Error, detail.Status);
        Assert.Equal($"127.0.0.1:{_smtp.Port} refused the username or password (535 5.7.8 Authentication credentials invalid).", detail.LastError);
        Assert.DoesNotContain(wrong, detail.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CertificateFromAnUnknownCa_PutsTheIntegrationInError_SayingSo_AtOnce()
    {
        var id = await CreateAsync(new() { ["username"] = User, ["password"] = Password });

        var detail = await _app.Services.WaitUntilVerifiedAsync(_acme, id);

        // Not a network blip to retry for minutes: only a change of settings can fix it.
        Assert.Equal(IntegrationStatus.Error, detail.Status);
        Assert.Equal(
            $"STARTTLS with 127.0.0.1:{_smtp.Port} failed: its certificate is not signed by a trusted CA (for a private CA, paste its certificate under 'CA certificate (PEM)').",
            detail.LastError);
    }

    [Fact]
    public async Task NoLogin_WhereTheServerRequiresOne_PutsTheIntegrationInError_AskingForOne()
    {
        var id = await CreateAsync(new() { ["ca_certificate"] = _smtp.CaPem });

        var detail = await _app.Services.WaitUntilVerifiedAsync(_acme, id);

        Assert.Equal(IntegrationStatus.Error, detail.Status);
        Assert.Equal($"127.0.0.1:{_smtp.Port} requires a login (530 5.7.0 Authentication required): set a username and password.", detail.LastError);
    }

    [Fact]
    public async Task StartTlsOff_WhereTheServerRequiresIt_PutsTheIntegrationInError_AskingToTurnItOn()
    {
        var id = await CreateAsync(new() { ["starttls"] = "false", ["username"] = User, ["password"] = Password });

        var detail = await _app.Services.WaitUntilVerifiedAsync(_acme, id);

        Assert.Equal(IntegrationStatus.Error, detail.Status);
        Assert.Equal($"127.0.0.1:{_smtp.Port} does not offer AUTH without TLS; turn on 'Use STARTTLS'.", detail.LastError);
    }

    [Fact]
    public async Task LoopbackServerWithoutAllowlist_IsNeverDialled_AndPutsTheIntegrationInErrorAtOnce()
    {
        using var listener = new ConnectionCounter();
        await using var app = new PortalAppFactory(allowLoopback: false);
        var acme = await app.Services.SetUpFirstOrganizationAsync();
        var id = await CreateAsync(app.Services, acme, listener.PortText, new() { ["username"] = User, ["password"] = Password });

        var detail = await app.Services.WaitUntilVerifiedAsync(acme, id);

        // Final at the first attempt: a result worth retrying would keep it pending ("trying again in 10 s").
        Assert.Equal(IntegrationStatus.Error, detail.Status);
        Assert.Equal("The address 127.0.0.1 is in a loopback network; an administrator can allow it with Portal:Delivery:AllowedNetworks.", detail.LastError);
        Assert.Equal(0, listener.Connections);
    }

    private Task<Guid> CreateAsync(Dictionary<string, string?> properties) => CreateAsync(_app.Services, _acme, _smtp.PortText, properties);

    private static Task<Guid> CreateAsync(IServiceProvider services, Tenant tenant, string port, Dictionary<string, string?> properties)
    {
        properties.TryAdd("starttls", "true");
        properties["smtp_host"] = "127.0.0.1";
        properties["smtp_port"] = port;
        properties["from"] = "alerts@acme.test";
        properties["recipients"] = "ops@acme.test";
        return services.CreateIntegrationAsync(tenant, new CreateIntegrationInput { TypeKey = "email", Name = "Mail", Properties = properties });
    }
}
