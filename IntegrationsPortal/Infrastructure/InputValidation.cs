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
