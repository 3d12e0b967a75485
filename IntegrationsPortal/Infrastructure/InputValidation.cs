using System.ComponentModel.DataAnnotations;

namespace IntegrationsPortal.Infrastructure;

/// <summary>
/// Runs an input model's data annotations in the service, so the API and jobs get the same checks
/// as the forms, which show the same messages as you type.
/// </summary>
public static class InputValidation
{
    public static void ThrowIfInvalid(object input)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(input, new ValidationContext(input), results, validateAllProperties: true))
        {
            return;
        }

        var byField = results
            .SelectMany(r => r.MemberNames.DefaultIfEmpty("").Select(m => (Field: m, r.ErrorMessage)))
            .GroupBy(x => x.Field)
            .ToDictionary(g => g.Key, g => g.Select(x => x.ErrorMessage ?? "Invalid value.").ToArray());
        throw new PortalException(PortalErrorKind.Validation, string.Join(" ", byField.Values.SelectMany(v => v)), byField);
    }
}

/// <summary>
/// A name shown to people (organizations, users, integrations, places, devices): no control
/// characters (NUL, CR/LF, tabs) that break logs, headers and CSV exports, and no bidirectional
/// overrides or isolates that make a name read differently from what it is ("exe.pdf").
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PlainNameAttribute : ValidationAttribute
{
    public PlainNameAttribute()
        : base("Use letters, digits, spaces and punctuation only: no control or text-direction characters.")
    {
    }

    public override bool IsValid(object? value) =>
        value is not string text || !text.Any(IsRefused);

    private static bool IsRefused(char c) =>
        char.IsControl(c)
        || c is >= '\u202A' and <= '\u202E'   // embeddings and overrides
        || c is >= '\u2066' and <= '\u2069'   // isolates
        || c is '\u200E' or '\u200F' or '\u061C';
}
