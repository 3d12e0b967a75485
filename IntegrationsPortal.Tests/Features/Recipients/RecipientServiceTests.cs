using System.Text;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Delivery.Senders;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Recipients;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Recipients;

/// <summary>
/// Verifying the numbers of SMS and phone recipient lists by a texted code, against a fake Twilio on
/// loopback (the code is read off the request it received), on a manual clock.
/// </summary>
public class RecipientServiceTests : IAsyncLifetime
{
    private const string Ann = "+14155550101";
    private const string Bob = "+14155550102";
    private const string Cid = "+14155550103";

    private FakeMessagingProviders _twilio = default!;
    private DeliveryHarness _harness = default!;

    public async ValueTask InitializeAsync()
    {
        _twilio = await FakeMessagingProviders.StartAsync();
        _harness = await DeliveryHarness.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _twilio.DisposeAsync();
    }

    [Theory]
    [InlineData("sms")]
    [InlineData("phone")]
    public async Task SendCode_TextsSixDigitsThroughTheIntegrationsTwilioAccount_AndTheRightCodeVerifies(string typeKey)
    {
        var id = await CreateAsync(typeKey);

        await AsOperatorAsync(r => r.SendCodeAsync(id, Ann));

        var request = Assert.Single(_twilio.Requests);
        Assert.Equal($"/2010-04-01/Accounts/{IntegrationSeeds.TwilioSid}/Messages.json", request.Path); // a text, even for the phone type
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{IntegrationSeeds.TwilioSid}:{IntegrationSeeds.TwilioToken}")),
            request.Headers["Authorization"]);
        Assert.Contains("From=%2B14155550100", request.Body, StringComparison.Ordinal);
        var code = _twilio.LastCodeSentTo(Ann);
        Assert.Matches("^[0-9]{6}$", code);
        var statuses = await ListAsync(id);
        Assert.Equal([Ann, Bob, Cid], statuses.Select(s => s.PhoneNumber));
        Assert.Equal(RecipientState.CodeSent, statuses[0].State);
        Assert.Equal(_harness.Clock.GetUtcNow().AddMinutes(10), statuses[0].CodeExpiresAt);
        Assert.Equal(5, statuses[0].TriesLeft);
        Assert.Equal(RecipientState.NotVerified, statuses[1].State);

        var row = await RowAsync(id, Ann);
        Assert.Equal(32, row.CodeHash!.Length);
        Assert.Equal(16, row.CodeSalt!.Length);
        Assert.DoesNotContain(code, Encoding.ASCII.GetString(row.CodeHash), StringComparison.Ordinal);

        await AsOperatorAsync(r => r.ConfirmAsync(id, Ann, code));

        var verified = (await ListAsync(id))[0];
        Assert.Equal(RecipientState.Verified, verified.State);
        Assert.Equal(_harness.Tenant.AdminEmail, verified.VerifiedBy);
        Assert.Null((await RowAsync(id, Ann)).CodeHash);
        var audit = await _harness.AsAdminAsync(sp => sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext().AuditEntries.ToListAsync());
        Assert.Contains(audit, a => a.Action == "recipient.verified" && a.Details == $"Verified {Ann} as a recipient of 'Receiver'.");
        // The code's text is not a delivery: nothing of it is in the history.
        var history = await _harness.AsAdminAsync(sp => sp.GetRequiredService<DeliveryService>().ListAsync(new DeliveryQuery()));
        Assert.Equal(0, history.Total);
    }

    [Fact]
    public async Task Confirm_WrongCode_SaysHowManyTriesAreLeft()
    {
        var id = await CreateAsync();
        await AsOperatorAsync(r => r.SendCodeAsync(id, Ann));

        var error = await ConfirmFailsAsync(id, Ann, _twilio.WrongCodeFor(Ann));

        Assert.Equal("Wrong code: 4 tries left.", Assert.Single(error.FieldErrors["code"]));
        var status = (await ListAsync(id))[0];
        Assert.Equal(RecipientState.CodeSent, status.State);
        Assert.Equal(4, status.TriesLeft);
    }

    [Fact]
    public async Task Confirm_AfterTenMinutes_TheCodeHasExpired()
    {
        var id = await CreateAsync();
        await AsOperatorAsync(r => r.SendCodeAsync(id, Ann));
        var code = _twilio.LastCodeSentTo(Ann);

        _harness.Clock.Advance(TimeSpan.FromMinutes(10));
        var error = await ConfirmFailsAsync(id, Ann, code);

        Assert.Equal("The code expired: send a new one.", error.Message);
        Assert.Equal(RecipientState.NotVerified, (await ListAsync(id))[0].State);
    }

    [Fact]
    public async Task Confirm_AfterFiveWrongCodes_EvenTheRightOneNeedsANewCode()
    {
        var id = await CreateAsync();
        await AsOperatorAsync(r => r.SendCodeAsync(id, Ann));
        var code = _twilio.LastCodeSentTo(Ann);

        PortalException last = default!;
        for (var i = 0; i < 5; i++)
        {
            last = await ConfirmFailsAsync(id, Ann, _twilio.WrongCodeFor(Ann));
        }

        Assert.Equal("Wrong code, and that was the last try: send a new code.", last.Message);
        Assert.Equal("Too many wrong codes: send a new code.", (await ConfirmFailsAsync(id, Ann, code)).Message);
        Assert.Equal(RecipientState.NotVerified, (await ListAsync(id))[0].State);

        _harness.Clock.Advance(TimeSpan.FromSeconds(60));
        await AsOperatorAsync(r => r.SendCodeAsync(id, Ann));
        await AsOperatorAsync(r => r.ConfirmAsync(id, Ann, _twilio.LastCodeSentTo(Ann)));
        Assert.Equal(RecipientState.Verified, (await ListAsync(id))[0].State);
    }

    [Fact]
    public async Task SendCode_AgainWithinAMinute_IsRefused_ThenTheNewCodeReplacesTheOld()
    {
        var id = await CreateAsync();
        await AsOperatorAsync(r => r.SendCodeAsync(id, Ann));
        var first = _twilio.LastCodeSentTo(Ann);

        _harness.Clock.Advance(TimeSpan.FromSeconds(45));
        var error = await Assert.ThrowsAsync<PortalException>(() => AsOperatorAsync(r => r.SendCodeAsync(id, Ann)));

        Assert.Equal(PortalErrorKind.Conflict, error.Kind);
        Assert.Equal($"A code went to {Ann} less than a minute ago; you can send another in 15 s.", error.Message);
        Assert.Single(_twilio.Requests);

        _harness.Clock.Advance(TimeSpan.FromSeconds(15));
        await AsOperatorAsync(r => r.SendCodeAsync(id, Ann));
        var second = _twilio.LastCodeSentTo(Ann);
        Assert.Equal(2, _twilio.Requests.Count);
        if (first != second)
        {
            Assert.Equal("Wrong code: 4 tries left.", (await ConfirmFailsAsync(id, Ann, first)).Message);
        }

        await AsOperatorAsync(r => r.ConfirmAsync(id, Ann, second));
        Assert.Equal(RecipientState.Verified, (await ListAsync(id))[0].State);
    }

    [Fact]
    public async Task Confirm_WithoutACode_OrWithAMalformedOne_SaysWhatToDo()
    {
        var id = await CreateAsync();

        Assert.Equal($"No code was sent to {Ann}: send one first.", (await ConfirmFailsAsync(id, Ann, "123456")).Message);
        Assert.Equal("Enter the 6-digit code from the text message.", (await ConfirmFailsAsync(id, Ann, "12a4")).FieldErrors["code"][0]);
        Assert.Null(await _harness.AsAdminAsync(sp => FindRowAsync(sp, id, Ann)));
    }

    [Fact]
    public async Task SendCode_ToANumberNotOnTheList_IsRefused_AndNothingIsSent()
    {
        var id = await CreateAsync();

        var error = await Assert.ThrowsAsync<PortalException>(() => AsOperatorAsync(r => r.SendCodeAsync(id, "+14155550199")));

        Assert.Equal("+14155550199 is not on the recipient list.", Assert.Single(error.FieldErrors["phoneNumber"]));
        Assert.Empty(_twilio.Requests);
    }

    [Fact]
    public async Task SendCode_WhenTwilioRefusesTheToken_SaysSo_AndLeavesNoCodePending()
    {
        var id = await CreateAsync(token: "twilio-token-revoked-000");

        var error = await Assert.ThrowsAsync<PortalException>(() => AsOperatorAsync(r => r.SendCodeAsync(id, Ann)));

        Assert.Equal($"The code could not be sent to {Ann}: Twilio refused the credentials (401): check the account SID and the auth token.", error.Message);
        Assert.DoesNotContain("revoked", error.Message, StringComparison.Ordinal);
        Assert.Equal(RecipientState.NotVerified, (await ListAsync(id))[0].State);
        // Nothing was recorded, so the operator may try again at once (after fixing the token).
        await Assert.ThrowsAsync<PortalException>(() => AsOperatorAsync(r => r.SendCodeAsync(id, Ann)));
        Assert.Equal(2, _twilio.Requests.Count);
    }

    [Fact]
    public async Task Viewer_SeesTheList_ButCannotSendOrConfirmCodes()
    {
        var id = await CreateAsync();
        await AsOperatorAsync(r => r.SendCodeAsync(id, Ann));
        var code = _twilio.LastCodeSentTo(Ann);
        await using var scope = _harness.Services.AsUser(_harness.Tenant.OrganizationId, _harness.Tenant.AdminUserId, "vera@acme.test", PortalRoles.Viewer);
        var recipients = scope.ServiceProvider.GetRequiredService<RecipientService>();

        Assert.Equal(3, (await recipients.ListAsync(id, TestContext.Current.CancellationToken)).Count);
        _harness.Clock.Advance(TimeSpan.FromMinutes(2));
        var send = await Assert.ThrowsAsync<PortalException>(() => recipients.SendCodeAsync(id, Bob, TestContext.Current.CancellationToken));
        var confirm = await Assert.ThrowsAsync<PortalException>(() => recipients.ConfirmAsync(id, Ann, code, TestContext.Current.CancellationToken));

        Assert.Equal(PortalErrorKind.Forbidden, send.Kind);
        Assert.Equal(PortalErrorKind.Forbidden, confirm.Kind);
        Assert.Single(_twilio.Requests);
        Assert.Equal(RecipientState.CodeSent, (await ListAsync(id))[0].State);
    }

    [Fact]
    public async Task Delivery_GoesOnlyToVerifiedNumbers_AndTheHistoryNamesTheSkippedOnes()
    {
        var id = await CreateAsync();
        await _harness.VerifyRecipientsAsync(id, _twilio, Bob);
        _twilio.Requests.Clear();

        var messageId = await _harness.EnqueueAsync(id, """{"text":"Pump 3 tripped"}""");
        await _harness.DispatchAsync();

        var detail = await _harness.DetailAsync(messageId);
        Assert.Equal(DeliveryStatus.Delivered, detail.Message.Status);
        Assert.Contains("Pump+3+tripped", Assert.Single(_twilio.To(Bob)).Body, StringComparison.Ordinal);
        Assert.Empty(_twilio.To(Ann));
        Assert.Empty(_twilio.To(Cid));
        Assert.Equal($"Sent to {Bob}. Skipped, not verified: {Ann}, {Cid}.", Assert.Single(detail.Attempts).Note);
    }

    [Fact]
    public async Task Delivery_WithNoVerifiedNumber_FailsForGood_WithWhereToVerify()
    {
        var id = await CreateAsync();

        var automatic = await _harness.EnqueueAsync(id, """{"text":"Pump 3 tripped"}""");
        var test = await _harness.AsAdminAsync(sp => sp.GetRequiredService<DeliveryService>().SendTestAsync(id, """{"text":"Test"}"""));
        await _harness.DispatchAsync();

        Assert.Empty(_twilio.Requests);
        var detail = await _harness.DetailAsync(automatic);
        Assert.Equal(DeliveryStatus.Dead, detail.Message.Status); // final: no retry can help
        var attempt = Assert.Single(detail.Attempts);
        Assert.Equal(PhoneSender.NoVerifiedRecipient, attempt.ErrorMessage);
        Assert.Equal("No recipient is verified yet: confirm a number on the Recipients tab.", detail.Message.LastError);
        Assert.Equal($"Skipped, not verified: {Ann}, {Bob}, {Cid}.", attempt.Note);
        Assert.Equal(DeliveryStatus.Failed, (await _harness.DetailAsync(test.MessageId)).Message.Status);
    }

    [Fact]
    public async Task ChangingRecipients_KeepsVerifiedNumbers_NewOnesStartUnverified_RemovedOnesAreForgotten()
    {
        var id = await CreateAsync();
        await _harness.VerifyRecipientsAsync(id, _twilio, Ann, Bob);
        const string Dan = "+14155550104";

        await UpdateRecipientsAsync(id, $"{Ann},{Dan}");
        var afterRemoval = await ListAsync(id);
        Assert.Equal([(Ann, RecipientState.Verified), (Dan, RecipientState.NotVerified)], afterRemoval.Select(s => (s.PhoneNumber, s.State)));

        await UpdateRecipientsAsync(id, $"{Ann},{Bob},{Dan}");
        Assert.Equal(RecipientState.NotVerified, (await ListAsync(id)).Single(s => s.PhoneNumber == Bob).State);
        Assert.Null(await _harness.AsAdminAsync(sp => FindRowAsync(sp, id, Bob)));
    }

    private async Task<Guid> CreateAsync(string typeKey = "sms", string token = IntegrationSeeds.TwilioToken) =>
        await _harness.CreateAsync(typeKey, IntegrationSeeds.TwilioRecipientList(_twilio.BaseUri, $"{Ann},{Bob},{Cid}", token));

    private async Task AsOperatorAsync(Func<RecipientService, Task> action)
    {
        await using var scope = _harness.Services.AsOperator(_harness.Tenant);
        await action(scope.ServiceProvider.GetRequiredService<RecipientService>());
    }

    private Task<IReadOnlyList<RecipientStatus>> ListAsync(Guid id) =>
        _harness.AsAdminAsync(sp => sp.GetRequiredService<RecipientService>().ListAsync(id));

    private Task<PortalException> ConfirmFailsAsync(Guid id, string number, string code) =>
        Assert.ThrowsAsync<PortalException>(() => AsOperatorAsync(r => r.ConfirmAsync(id, number, code)));

    private async Task<RecipientVerification> RowAsync(Guid id, string number) =>
        (await _harness.AsAdminAsync(sp => FindRowAsync(sp, id, number)))!;

    private static async Task<RecipientVerification?> FindRowAsync(IServiceProvider services, Guid id, string number)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Set<RecipientVerification>().SingleOrDefaultAsync(v => v.IntegrationId == id && v.PhoneNumber == number);
    }

    private Task UpdateRecipientsAsync(Guid id, string recipients) =>
        _harness.AsAdminAsync(async sp =>
        {
            await sp.GetRequiredService<IntegrationService>().UpdateAsync(id, new UpdateIntegrationInput
            {
                Name = "Receiver", Properties = new() { ["recipients"] = recipients },
            });
            return true;
        });
}

[OnPostgreSQL]
public sealed class RecipientServiceOnPostgreSQLTests : RecipientServiceTests;
