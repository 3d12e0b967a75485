using System.Net;
using System.Text.RegularExpressions;
using IntegrationsPortal.Features.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;

namespace IntegrationsPortal.Tests.Http;

[Collection(SetUpPortalCollection.Name)]
public partial class TwoFactorSignInTests(SetUpPortalFixture portal)
{
    [Fact]
    public async Task RightPassword_WithAWrongCode_DoesNotSignIn_ButTheRightCodeDoes()
    {
        const string email = "tess@acme.test";
        await portal.App.Services.AddUserAsync(portal.Acme, email, PortalRoles.Viewer);
        var authenticator = await TurnOnTwoFactorAsync(email);
        using var client = portal.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var passwordStep = await PortalAppFactory.SignInAsync(client, email, TestPasswords.Strong);
        var codeForm = await passwordStep.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, passwordStep.StatusCode);
        Assert.Contains("data-testid=\"login-code\"", codeForm, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);

        var wrong = await PostCodeAsync(client, codeForm, "000000" == authenticator.ComputeTotp() ? "111111" : "000000");

        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("That code is not right", await wrong.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.False(wrong.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("portal.auth", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);

        var right = await PostCodeAsync(client, codeForm, authenticator.ComputeTotp(), rememberMe: true);

        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        // "Keep me signed in" of the first step: a cookie that outlives the browser session.
        Assert.Contains(right.Headers.GetValues("Set-Cookie"), c => c.StartsWith("portal.auth", StringComparison.Ordinal) && c.Contains("expires=", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);
    }

    private async Task<Totp> TurnOnTwoFactorAsync(string email)
    {
        await using var scope = portal.App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = (await users.FindByNameAsync(email))!;
        await users.ResetAuthenticatorKeyAsync(user);
        await users.SetTwoFactorEnabledAsync(user, true);
        return new Totp(Base32Encoding.ToBytes((await users.GetAuthenticatorKeyAsync(user))!));
    }

    /// <summary>Posts the second step with the antiforgery token of the form the first step answered with.</summary>
    private static Task<HttpResponseMessage> PostCodeAsync(HttpClient client, string codeForm, string code, bool rememberMe = false) =>
        client.PostFormAsync("/account/login", new Dictionary<string, string>
        {
            ["_handler"] = "login-two-factor",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(TokenField().Match(codeForm).Groups[1].Value),
            ["TwoFactor.Code"] = code,
            ["TwoFactor.RememberMe"] = rememberMe ? "true" : "false",
        }, TestContext.Current.CancellationToken);

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}

[Collection(SetUpPortalOnPostgreSQLCollection.Name)]
[OnPostgreSQL]
public sealed class TwoFactorSignInOnPostgreSQLTests(SetUpPortalFixture portal) : TwoFactorSignInTests(portal);
