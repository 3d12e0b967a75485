using IntegrationsPortal.Features.Delivery;

namespace IntegrationsPortal.Tests.Features.Delivery;

/// <summary>
/// Email through a real aiosmtpd that demands STARTTLS (with a certificate from a CA made here) and
/// a login, as a submission server on port 587 does. The server stamps each stored message with
/// X-Test-TLS and X-Test-Auth, so the tests see that TLS and AUTH really happened.
/// </summary>
public sealed class EmailDeliveryTests : IAsyncLifetime
{
    private const string User = SmtpServer.SubmissionUser;
    private const string Password = SmtpServer.SubmissionPassword;
    private SmtpServer _smtp = default!;
    private DeliveryHarness _harness = default!;

    public async ValueTask InitializeAsync()
    {
        _smtp = await SmtpServer.StartSubmissionAsync();
        _harness = await DeliveryHarness.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task StartTlsWithTheRightLogin_DeliversEncryptedAndAuthenticated()
    {
        var id = await CreateAsync(password: Password, ca: _smtp.CaPem);

        var messageId = await _harness.EnqueueAsync(id, """{"subject":"Meter offline","text":"Meter 42 stopped reporting."}""");
        await _harness.DispatchAsync();

        var detail = await _harness.DetailAsync(messageId);
        Assert.Equal(DeliveryStatus.Delivered, detail.Message.Status);
        var mail = Assert.Single(_smtp.Messages());
        Assert.Contains("Subject: Meter offline", mail, StringComparison.Ordinal);
        Assert.Contains("Meter 42 stopped reporting.", mail, StringComparison.Ordinal);
        Assert.Contains("X-Test-TLS: yes", mail, StringComparison.Ordinal);
        Assert.Contains($"X-Test-Auth: {User}", mail, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, Assert.Single(detail.Attempts).RequestHeaders, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongPassword_IsAFailedAttemptSayingTheLoginWasRefused_WithoutThePassword()
    {
        const string wrong = "not-the-smtp-password-77";
        var id = await CreateAsync(password: wrong, ca: _smtp.CaPem);

        var messageId = await _harness.EnqueueAsync(id, """{"subject":"Meter offline","text":"Meter 42 stopped reporting."}""");
        await _harness.DispatchAsync();

        var detail = await _harness.DetailAsync(messageId);
        Assert.Equal(DeliveryStatus.Failed, detail.Message.Status);
        Assert.NotNull(detail.Message.NextAttemptAt);
        var attempt = Assert.Single(detail.Attempts);
        Assert.False(attempt.Succeeded);
        Assert.Equal("auth", attempt.ErrorClass);
        // The server's own refusal of AUTH (System.Net.Mail went on to MAIL FROM and reported its 530).
        Assert.Equal(535, attempt.StatusCode);
        Assert.Equal("The SMTP server did not accept the username and password (535 5.7.8 Authentication credentials invalid).", attempt.ErrorMessage);
        Assert.Equal(attempt.ErrorMessage, detail.Message.LastError);
        foreach (var text in new[] { attempt.ErrorMessage, attempt.RequestHeaders, attempt.RequestBody, attempt.ResponseBody, detail.Payload })
        {
            Assert.DoesNotContain(wrong, text ?? "", StringComparison.Ordinal);
        }

        Assert.Empty(_smtp.Messages());
    }

    [Fact]
    public async Task CertificateFromAnUnknownCa_IsRefused_AndDeliveredOnceTheCaIsGiven()
    {
        using var otherCa = TestCertificates.CreateCa("Someone Else's CA");
        var withoutCa = await CreateAsync(password: Password, ca: null, name: "No CA");
        var wrongCa = await CreateAsync(password: Password, ca: otherCa.ExportCertificatePem(), name: "Wrong CA");
        var rightCa = await CreateAsync(password: Password, ca: _smtp.CaPem, name: "Right CA");

        // One batch, sent in parallel: each send trusts its own CA and no other.
        var refused = await _harness.EnqueueAsync(withoutCa, """{"subject":"one","text":"1"}""");
        var refusedToo = await _harness.EnqueueAsync(wrongCa, """{"subject":"two","text":"2"}""");
        var delivered = await _harness.EnqueueAsync(rightCa, """{"subject":"three","text":"3"}""");
        await _harness.DispatchAsync();

        var noCa = Assert.Single((await _harness.DetailAsync(refused)).Attempts);
        Assert.Equal("tls", noCa.ErrorClass);
        Assert.Equal(
            $"STARTTLS with 127.0.0.1:{_smtp.Port} failed: its certificate is not signed by a trusted CA (for a private CA, paste its certificate under 'CA certificate (PEM)').",
            noCa.ErrorMessage);
        var otherCaAttempt = Assert.Single((await _harness.DetailAsync(refusedToo)).Attempts);
        Assert.Equal("tls", otherCaAttempt.ErrorClass);
        Assert.Equal(
            $"STARTTLS with 127.0.0.1:{_smtp.Port} failed: its certificate is not signed by the CA certificate given, or is expired.",
            otherCaAttempt.ErrorMessage);
        Assert.Equal(DeliveryStatus.Delivered, (await _harness.DetailAsync(delivered)).Message.Status);
        var mail = Assert.Single(_smtp.Messages());
        Assert.Contains("Subject: three", mail, StringComparison.Ordinal);
        Assert.Contains("X-Test-TLS: yes", mail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoSendsInFlightTogether_OneWithThePrivateCaOneWithout_EachGetsItsOwnTrustDecision()
    {
        // Both sessions are connected before the server says a word, so both handshakes overlap.
        await using var relay = new SimultaneousRelay(_smtp.Port, together: 2);
        var withCa = await CreateAsync(password: Password, ca: _smtp.CaPem, name: "With CA", port: relay.PortText);
        var withoutCa = await CreateAsync(password: Password, ca: null, name: "Without CA", port: relay.PortText);

        var trusted = await _harness.EnqueueAsync(withCa, """{"subject":"trusted","text":"1"}""");
        var untrusted = await _harness.EnqueueAsync(withoutCa, """{"subject":"untrusted","text":"2"}""");
        await _harness.DispatchAsync();

        Assert.Equal(DeliveryStatus.Delivered, (await _harness.DetailAsync(trusted)).Message.Status);
        var refused = Assert.Single((await _harness.DetailAsync(untrusted)).Attempts);
        Assert.Equal("tls", refused.ErrorClass);
        Assert.Equal(
            $"STARTTLS with 127.0.0.1:{relay.PortText} failed: its certificate is not signed by a trusted CA (for a private CA, paste its certificate under 'CA certificate (PEM)').",
            refused.ErrorMessage);
        Assert.Contains("Subject: trusted", Assert.Single(_smtp.Messages()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoopbackServerWithoutAllowlist_IsNeverDialled_AndTheSendIsRefusedForGood()
    {
        using var listener = new ConnectionCounter();
        await using var harness = await DeliveryHarness.StartAsync(allowLoopback: false);
        var id = await CreateAsync(harness, listener.PortText, Password, ca: null, "Mail");

        var messageId = await harness.EnqueueAsync(id, """{"subject":"Meter offline","text":"Meter 42 stopped reporting."}""");
        await harness.DispatchAsync();

        var detail = await harness.DetailAsync(messageId);
        Assert.Equal(DeliveryStatus.Dead, detail.Message.Status);
        var attempt = Assert.Single(detail.Attempts);
        Assert.Equal("refused_address", attempt.ErrorClass);
        Assert.Equal("The address 127.0.0.1 is in a loopback network; an administrator can allow it with Portal:Delivery:AllowedNetworks.", attempt.ErrorMessage);
        Assert.Null(attempt.NextAttemptAt);
        Assert.Equal(0, listener.Connections);
    }

    private Task<Guid> CreateAsync(string password, string? ca, string name = "Mail", string? port = null) =>
        CreateAsync(_harness, port ?? _smtp.PortText, password, ca, name);

    private static Task<Guid> CreateAsync(DeliveryHarness harness, string port, string password, string? ca, string name) =>
        harness.CreateAsync("email", new()
        {
            ["smtp_host"] = "127.0.0.1", ["smtp_port"] = port, ["starttls"] = "true", ["ca_certificate"] = ca,
            ["username"] = User, ["password"] = password, ["from"] = "alerts@acme.test", ["recipients"] = "ops@acme.test",
        }, name);
}
