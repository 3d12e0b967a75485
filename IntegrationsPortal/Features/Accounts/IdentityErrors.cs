using Microsoft.AspNetCore.Identity;

namespace IntegrationsPortal.Features.Accounts;

/// <summary>Turns Identity's error list into a <see cref="PortalException"/> with field errors.</summary>
public static class IdentityErrors
{
    public static void ThrowIfFailed(IdentityResult result)
    {
        if (result.Succeeded)
        {
            return;
        }

        var byField = result.Errors
            .GroupBy(e => FieldFor(e.Code))
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray());
        throw new PortalException(
            byField.ContainsKey("Email") ? PortalErrorKind.Conflict : PortalErrorKind.Validation,
            string.Join(" ", result.Errors.Select(e => e.Description)),
            byField);
    }

    private static string FieldFor(string code) => code switch
    {
        _ when code.StartsWith("Password", StringComparison.Ordinal) => "Password",
        "DuplicateUserName" or "InvalidUserName" or "DuplicateEmail" or "InvalidEmail" => "Email",
        _ => "",
    };
}
