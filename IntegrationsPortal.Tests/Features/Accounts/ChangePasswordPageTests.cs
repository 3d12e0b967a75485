using System.Security.Claims;
using Bunit;
using IntegrationsPortal.Features.Accounts.Pages;
using IntegrationsPortal.Tests.Components;
using IntegrationsPortal.Features.Accounts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Accounts;

/// <summary>The change-password page's refusals, each next to the field it is about; the real Identity on SQLite behind it.</summary>
public sealed class ChangePasswordPageTests : ComponentTest
{
    [Theory]
    [InlineData("not-my-password", "Another long pass 42", "Another long pass 42", "current-password", "The current password is not right.")]
    [InlineData(TestPasswords.Strong, "password1234", "password1234", "new-password", "commonly used passwords")]
    [InlineData(TestPasswords.Strong, "short-9", "short-9", "new-password", "at least 12 characters")]
    [InlineData(TestPasswords.Strong, "Another long pass 42", "Another long pass 43", "confirm-password", "The passwords do not match.")]
    public async Task ARefusedChange_ShowsWhyNextToTheField_AndTheOldPasswordStillWorks(string current, string next, string confirm, string field, string message)
    {
        var (portal, acme) = await UsePortalServicesAsync();
        var signedIn = new ClaimsPrincipal(new ClaimsIdentity([new(ClaimTypes.NameIdentifier, acme.AdminUserId)], "test"));
        var page = Render<ChangePassword>(p => p.AddCascadingValue(new DefaultHttpContext { User = signedIn, }));

        page.Find("#current-password").Change(current);
        page.Find("#new-password").Change(next);
        page.Find("#confirm-password").Change(confirm);
        await page.Find("form").SubmitAsync();

        page.WaitForAssertion(() => Assert.Contains(message, page.Find($"#{field}").ParentElement!.TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=password-changed]"));
        Assert.DoesNotContain(next, page.Markup, StringComparison.Ordinal);
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        Assert.True(await users.CheckPasswordAsync((await users.FindByIdAsync(acme.AdminUserId))!, TestPasswords.Strong));
    }
}
