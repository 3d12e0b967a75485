namespace IntegrationsPortal.Features.Api.V1;

/// <summary>
/// /api/v1's answer to a service's refusal, in its published shape: 422 with
/// <c>{success:false, message:"The given data was invalid.", errors}</c>, otherwise the envelope with
/// success false and the service's message under 403, 404 or 409.
/// </summary>
public sealed class V1ErrorFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (PortalException e)
        {
            return e.Kind switch
            {
                PortalErrorKind.Validation => V1Envelope.Invalid(e.FieldErrors.Count > 0 ? e.FieldErrors : new Dictionary<string, string[]> { ["request"] = [e.Message] }),
                PortalErrorKind.NotFound => V1Envelope.Fail(StatusCodes.Status404NotFound, e.Message),
                PortalErrorKind.Conflict => V1Envelope.Fail(StatusCodes.Status409Conflict, e.Message),
                PortalErrorKind.Forbidden => V1Envelope.Fail(StatusCodes.Status403Forbidden, e.Message),
                _ => V1Envelope.Fail(StatusCodes.Status400BadRequest, e.Message),
            };
        }
    }
}
