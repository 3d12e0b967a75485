namespace IntegrationsPortal.Features.Catalog;

/// <summary>
/// The key of every integration type: what the catalog entry, the stored integrations and the
/// code that serves a type (<see cref="ForTypesAttribute"/>) agree on. Stored in the database,
/// so a key never changes once shipped.
/// </summary>
public static class TypeKeys
{
    public const string Webhook = "webhook";
    public const string Http = "http";
    public const string Mqtt = "mqtt";
    public const string Email = "email";
    public const string Sms = "sms";
    public const string Phone = "phone";
    public const string Twilio = "twilio";
    public const string Plivo = "plivo";
    public const string Slack = "slack";
    public const string Stripe = "stripe";
    public const string OpenMeteo = "open-meteo";
    public const string UtilityData = "utility-data";
    public const string Telematics = "telematics";
    public const string WhatsApp = "whatsapp";
    public const string ScadaBridge = "scada-bridge";
    public const string HeliumUplinks = "helium-uplinks";
    public const string ThingsStackUplinks = "tts-uplinks";
    public const string ChirpStackUplinks = "chirpstack-uplinks";
    public const string HttpUplinks = "http-uplinks";
}

/// <summary>
/// Names the integration types a sender, verifier, ingress provider or hook serves. The
/// <see cref="TypeCode{TRole}"/> reads it, so a class registered in DI with this
/// attribute is all it takes for the portal to find it by the type's key.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ForTypesAttribute(params string[] typeKeys) : Attribute
{
    public IReadOnlyList<string> TypeKeys { get; } = typeKeys;
}
