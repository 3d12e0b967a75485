using System.Collections.Frozen;
using Microsoft.AspNetCore.Identity;

namespace IntegrationsPortal.Features.Accounts;

/// <summary>
/// Refuses passwords from a list of commonly used ones (NIST SP 800-63B, 5.1.1.2), wherever Identity
/// sets a password: first-run setup, adding a user, a password change. The list is an embedded
/// resource made by tools/common-passwords.py; the comparison ignores case.
/// </summary>
public sealed class CommonPasswordValidator : IPasswordValidator<PortalUser>
{
    public const string ErrorCode = "PasswordCommon";

    private static readonly Lazy<FrozenSet<string>> Common = new(Load);

    public static bool IsCommon(string password) => Common.Value.Contains(password.Trim());

    public Task<IdentityResult> ValidateAsync(UserManager<PortalUser> manager, PortalUser user, string? password) =>
        Task.FromResult(password is not null && IsCommon(password)
            ? IdentityResult.Failed(new IdentityError
            {
                Code = ErrorCode,
                Description = "This password is on a list of commonly used passwords. Choose one that is harder to guess.",
            })
            : IdentityResult.Success);

    private static FrozenSet<string> Load()
    {
        using var stream = typeof(CommonPasswordValidator).Assembly.GetManifestResourceStream("IntegrationsPortal.Features.Accounts.common-passwords.txt")
            ?? throw new InvalidOperationException("The common-passwords list is missing from the build.");
        using var reader = new StreamReader(stream);
        var entries = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                entries.Add(line);
            }
        }

        return entries.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }
}
