namespace IntegrationsPortal.Features.Delivery.Senders;

/// <summary>
/// What a message's producer (a flow's destination node) may set for one message, read by the senders
/// from <see cref="ConfiguredIntegrationMessage.Parameters"/>: the MQTT topic, and for HTTP a path
/// suffix and extra headers. The values arrive rendered; the integration's own settings are the default.
/// </summary>
public static class MessageParameters
{
    public const string Topic = "topic";
    public const string PathSuffix = "path_suffix";
    public const string Headers = "headers";

    public static string? Get(ConfiguredIntegrationMessage message, string name) =>
        message.Parameters.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    /// <summary>
    /// The integration's URL with the message's path suffix appended before its query. Each segment is
    /// escaped and "." and ".." segments are dropped, so a value rendered into the suffix ("?x", "..")
    /// cannot climb out of the integration's path, add a query or change the host.
    /// </summary>
    public static Uri WithPathSuffix(string url, ConfiguredIntegrationMessage message)
    {
        if (Get(message, PathSuffix) is not { } suffix)
        {
            return new Uri(url);
        }

        var segments = suffix.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(Uri.UnescapeDataString)
            .Where(s => s is not ("." or ".."))
            .Select(Uri.EscapeDataString);
        var builder = new UriBuilder(url);
        builder.Path = builder.Path.TrimEnd('/') + "/" + string.Join('/', segments);
        return builder.Uri;
    }
}
