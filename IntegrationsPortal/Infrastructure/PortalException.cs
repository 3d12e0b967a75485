namespace IntegrationsPortal.Infrastructure;

/// <summary>What kind of refusal a <see cref="PortalException"/> is; the API maps each to a status code.</summary>
public enum PortalErrorKind
{
    /// <summary>The input is wrong; <see cref="PortalException.FieldErrors"/> says where (422).</summary>
    Validation,
    /// <summary>The thing does not exist, or belongs to another organization (404).</summary>
    NotFound,
    /// <summary>The request clashes with the current state (409).</summary>
    Conflict,
    /// <summary>The signed-in user's role does not allow this (403).</summary>
    Forbidden,
}

/// <summary>
/// A refusal a user can act on. Services throw it before changing anything; the UI shows
/// <see cref="FieldErrors"/> next to the fields and the API turns it into a problem response.
/// Messages never contain secrets.
/// </summary>
public sealed class PortalException(
    PortalErrorKind kind,
    string message,
    IReadOnlyDictionary<string, string[]>? fieldErrors = null) : Exception(message)
{
    public PortalErrorKind Kind { get; } = kind;

    public IReadOnlyDictionary<string, string[]> FieldErrors { get; } =
        fieldErrors ?? new Dictionary<string, string[]>();

    public static PortalException Invalid(string field, string message) =>
        new(PortalErrorKind.Validation, message, new Dictionary<string, string[]> { [field] = [message] });

    public static PortalException NotFound(string what) =>
        new(PortalErrorKind.NotFound, $"{what} was not found.");

    public static PortalException Conflict(string message) => new(PortalErrorKind.Conflict, message);

    public static PortalException Forbidden(string action) =>
        new(PortalErrorKind.Forbidden, $"Your role does not allow you to {action}.");
}
