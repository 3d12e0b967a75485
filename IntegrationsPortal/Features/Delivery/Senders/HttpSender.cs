using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Xml;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Security;
using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Delivery.Senders;

/// <summary>HTTP: any method, headers, auth none / basic / API key, and the payload as JSON, XML or a form.</summary>
[ForTypes(TypeKeys.Http)]
public sealed class HttpSender(HttpDelivery http) : IDeliverySender
{
    public RetryPolicy Retries(ConfiguredIntegration integration) => HttpIntegrationOptions.From(integration).Retries;

    public async Task<DeliveryOutcome> SendAsync(ConfiguredIntegrationMessage message, CancellationToken ct)
    {
        var options = HttpIntegrationOptions.From(message.Integration);
        HttpContent converted;
        try
        {
#pragma warning disable CA2000 // Disposed by the using below; the analyzer does not follow it out of the try.
            converted = Convert(message.Payload, options.ContentType);
#pragma warning restore CA2000
        }
        catch (Exception e) when (e is JsonException or XmlException or ArgumentException)
        {
            return DeliveryOutcome.Fail(FailureKind.Final, "payload", "The payload is not JSON, so it cannot be converted: " + e.Message);
        }

        // Also the request's, which disposes it too; this one covers a request that cannot be made.
        using var content = converted;
        using var request = new HttpRequestMessage(new HttpMethod(options.Method), MessageParameters.WithPathSuffix(options.Endpoint.Url, message)) { Content = content };
        AddCustomHeaders(request, options.Headers);
        AddCustomHeaders(request, MessageParameters.Get(message, MessageParameters.Headers));
        AddCustomHeaders(request, options.SecretHeaders);
        request.Headers.TryAddWithoutValidation("webhook-id", message.MessageId.ToString());
        switch (options.Endpoint.Auth)
        {
            case EndpointAuth.Basic:
                request.Headers.Authorization = BasicAuthentication.Header(options.Endpoint.Username, options.Endpoint.Password);
                break;
            case EndpointAuth.ApiKey:
                request.Headers.TryAddWithoutValidation(options.ApiKeyHeader, options.ApiKey);
                break;
        }

        return await http.SendAsync(request, message.Integration, options.Timeout, options.IsSuccess, ct);
    }

    public static void AddCustomHeaders(HttpRequestMessage request, string? headersJson)
    {
        if (string.IsNullOrEmpty(headersJson))
        {
            return;
        }

        foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(headersJson) ?? [])
        {
            // A later set replaces a header of the same name: a flow's after the integration's, and the
            // integration's secret headers last, so a flow cannot drop or replace a credential.
            request.Headers.Remove(name);
            request.Content?.Headers.Remove(name);
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }
    }

    /// <summary>The JSON payload as the receiver wants it.</summary>
    public static HttpContent Convert(string payload, string contentType)
    {
        switch (contentType)
        {
            case "XML":
                using (var json = JsonDocument.Parse(payload))
                {
                    var xml = new StringBuilder();
                    using (var writer = XmlWriter.Create(xml, new XmlWriterSettings { OmitXmlDeclaration = false }))
                    {
                        WriteXml(writer, "message", json.RootElement);
                    }

                    var bytes = Encoding.UTF8.GetBytes(xml.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal));
                    var content = new ByteArrayContent(bytes);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/xml") { CharSet = "utf-8" };
                    return content;
                }

            case "FORM":
                using (var json = JsonDocument.Parse(payload))
                {
                    var fields = json.RootElement.ValueKind == JsonValueKind.Object
                        ? json.RootElement.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, Scalar(p.Value)))
                        : [KeyValuePair.Create("payload", json.RootElement.GetRawText())];
                    return new FormUrlEncodedContent(fields.ToList());
                }

            default:
                using (JsonDocument.Parse(payload))
                {
                    var content = new ByteArrayContent(Encoding.UTF8.GetBytes(payload));
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                    return content;
                }
        }
    }

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Null => "",
        _ => value.GetRawText(),
    };

    private static void WriteXml(XmlWriter writer, string name, JsonElement value)
    {
        writer.WriteStartElement(XmlConvert.EncodeLocalName(name));
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    WriteXml(writer, property.Name, property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    WriteXml(writer, "item", item);
                }

                break;
            case JsonValueKind.Null:
                break;
            default:
                writer.WriteString(Scalar(value));
                break;
        }

        writer.WriteEndElement();
    }
}
