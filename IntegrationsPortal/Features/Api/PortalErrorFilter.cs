namespace IntegrationsPortal.Features.Api;

/// <summary>
/// Turns a service's <see cref="PortalException"/> into the matching problem response: 422 with
/// field errors, 404, 409 or 403. Anything else stays a 500 without details.
/// </summary>
public sealed class PortalErrorFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (PortalException e)
        {
            return ToResult(e);
        }
    }

    public static IResult ToResult(PortalException e) => e.Kind switch
    {
        PortalErrorKind.Validation => TypedResults.Problem(new HttpValidationProblemDetails(
            e.FieldErrors.ToDictionary(f => f.Key.Length == 0 ? "request" : ToCamelCase(f.Key), f => f.Value))
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "The request has invalid fields.",
            Detail = e.Message,
        }),
        PortalErrorKind.NotFound => TypedResults.Problem(e.Message, statusCode: StatusCodes.Status404NotFound),
        PortalErrorKind.Conflict => TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict),
        PortalErrorKind.Forbidden => TypedResults.Problem(e.Message, statusCode: StatusCodes.Status403Forbidden),
        _ => TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest),
    };

    private static string ToCamelCase(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
