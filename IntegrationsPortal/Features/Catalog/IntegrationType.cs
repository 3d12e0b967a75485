using System.Text.Json.Serialization;
using IntegrationsPortal.Features.Resources;

namespace IntegrationsPortal.Features.Catalog;

/// <summary>INGRESS pulls data into the platform; EGRESS pushes notifications and data out.</summary>
public enum IntegrationDirection
{
    Ingress,
    Egress,
}

/// <summary>Whether an organization may add a type.</summary>
public enum TypeAvailability
{
    Available,
    /// <summary>Shown greyed as "coming soon": the organization's representative enables it.</summary>
    Disabled,
    /// <summary>First-party, listed only for organizations enabled for custom integrations.</summary>
    Custom,
}

public enum PropertyType
{
    String,
    Secret,
    Number,
    Bool,
    Enum,
    Url,
    EmailList,
    PhoneList,
    KeyValueMap,
    ResourceReference,
    /// <summary>A Quartz cron expression (seconds first), for pull schedules.</summary>
    Cron,
    /// <summary>An X.509 certificate in PEM form (a private CA to trust, a client certificate), entered in a multi-line box.</summary>
    Certificate,
    /// <summary>A private key in PEM form (PKCS#8, or PKCS#1 RSA / SEC 1 EC), kept as a secret; see <see cref="PropertySpec.PairsWith"/>.</summary>
    PrivateKey,
}

/// <summary>
/// One configurable property of a type. Sensitive properties go to the credential vault and are
/// never shown again; non-editable ones are fixed after creation.
/// </summary>
public sealed record PropertySpec(string Name, string Label, PropertyType Type)
{
    public bool Required { get; init; }

    public bool Editable { get; init; } = true;

    public bool Sensitive { get; init; }

    public string? Help { get; init; }

    public string? Placeholder { get; init; }

    public IReadOnlyList<string> Options { get; init; } = [];

    public string? Default { get; init; }

    public double? Min { get; init; }

    public double? Max { get; init; }

    /// <summary>For lists: at most this many entries (a single From address, say).</summary>
    public int? MaxItems { get; init; }

    /// <summary>For a private key: the certificate property it belongs to. Both are given or neither, and the key must be the certificate's.</summary>
    public string? PairsWith { get; init; }

    /// <summary>For resource references: which places or devices may be picked.</summary>
    public ResourceFilter? Accepts { get; init; }

    /// <summary>
    /// A rule beyond the type's (a signing secret's form, a topic without wildcards): the message for a
    /// value that passes as text but can never work, or null. See <see cref="PropertyRules"/>.
    /// </summary>
    [JsonIgnore] // code, not data: the API describes a property by its other fields
    public Func<string, string?>? Rule { get; init; }

    /// <summary>
    /// Where the integration connects to (a URL, a broker or mail host). When it moves, the secrets
    /// that <see cref="FollowsDestination"/> must be typed again (<see cref="DestinationRule"/>).
    /// </summary>
    public bool Destination { get; init; }

    /// <summary>A secret presented to the destination (a password, a token, a client key), so never carried to a new one.</summary>
    public bool FollowsDestination { get; init; }

    /// <summary>Written by the portal itself (by a rotation), never typed: no form shows it and input may not set it.</summary>
    public bool SetByPortal { get; init; }

    /// <summary>Shown and validated only when another property has one of these values (auth fields, say).</summary>
    public PropertyCondition? VisibleWhen { get; init; }

    public bool IsVisible(IReadOnlyDictionary<string, string?> values) =>
        VisibleWhen is null
        // Enum and bool values are accepted in any case ("basic", "TRUE"), so the condition must be too.
        || (values.TryGetValue(VisibleWhen.Property, out var value)
            && VisibleWhen.Values.Contains((value ?? "").Trim(), StringComparer.OrdinalIgnoreCase));
}

public sealed record PropertyCondition(string Property, params string[] Values);

/// <summary>What resources an integration's external ids map to, and whether one resource may be mapped more than once.</summary>
public sealed record MappingSpec(ResourceFilter Allowed, bool ResourceMappedOnce, string ExternalIdLabel);

/// <summary>A kind of integration in the catalog: data; its code is found by <see cref="Key"/> (<see cref="TypeCode{TRole}"/>).</summary>
public sealed record IntegrationType(
    string Key,
    string DisplayName,
    string Icon,
    IntegrationDirection Direction,
    string Category,
    string Description,
    IReadOnlyList<PropertySpec> Properties)
{
    public IReadOnlyList<string> Capabilities { get; init; } = [];

    public TypeAvailability Availability { get; init; } = TypeAvailability.Available;

    /// <summary>Payment and messaging providers allow one integration per organization.</summary>
    public bool SingleInstance { get; init; }

    public MappingSpec? Mapping { get; init; }

    /// <summary>
    /// Its messages go out one after another in the order they were queued, and a failed one holds back the
    /// rest until it is delivered or given up (MQTT subscribers read a stream, not independent requests).
    /// </summary>
    public bool DeliversInOrder { get; init; }

    /// <summary>
    /// Its "recipients" are phone numbers that get deliveries only after an operator confirms a
    /// code texted to them (see Features/Recipients).
    /// </summary>
    public bool VerifiesRecipients { get; init; }

    /// <summary>
    /// Its data is pushed to the portal's uplink endpoint (Features/Uplinks), not pulled on a schedule:
    /// it needs an uplink format instead of an ingress provider, and no pull job is scheduled for it.
    /// </summary>
    public bool ReceivesPushes { get; init; }

    public PropertySpec? Property(string name) => Properties.FirstOrDefault(p => p.Name == name);

    public bool Can(string capability) => Capabilities.Contains(capability);

    /// <summary>What routing rules and operations can ask of this type (<see cref="Catalog.Capabilities.Routable"/>), in catalog order.</summary>
    public IReadOnlyList<string> RoutableCapabilities => [.. Capabilities.Where(Catalog.Capabilities.Routable.Contains)];
}

public static class Capabilities
{
    public const string TestSend = "test_send";
    public const string Backfill = "backfill";
    public const string SendSms = "send_sms";
    public const string SendWhatsApp = "send_whatsapp";
    public const string PlaceCall = "place_call";
    public const string SendEmail = "send_email";
    public const string InitiatePayment = "initiate_payment";
    public const string ProcessRefund = "process_refund";
    public const string VerifyPayment = "verify_payment";
    public const string Publish = "publish";
    public const string Notify = "notify";

    /// <summary>
    /// The operations a program asks for by capability (routing rules, /api/v1/operations) and an
    /// integration enables or not. The rest (test_send, backfill, publish, place_call) are the portal's own actions.
    /// </summary>
    public static readonly IReadOnlySet<string> Routable = new HashSet<string>(StringComparer.Ordinal)
    {
        InitiatePayment, ProcessRefund, VerifyPayment, SendSms, SendWhatsApp, SendEmail, Notify,
    };

    /// <summary>
    /// The enabled subset an operator or a program chose for <paramref name="type"/>, checked: null means
    /// all the type offers. An unknown name or one the type does not offer is refused on <c>EnabledCapabilities</c>.
    /// </summary>
    public static List<string> Choose(IntegrationType type, IEnumerable<string>? chosen)
    {
        if (chosen is null)
        {
            return [.. type.RoutableCapabilities];
        }

        var list = chosen.ToList();
        var offered = type.RoutableCapabilities;
        var errors = list.Distinct(StringComparer.Ordinal).Where(c => !offered.Contains(c)).Select(c => Routable.Contains(c)
            ? $"{type.DisplayName} does not offer '{c}'; it offers {Offers(type)}."
            : $"'{c}' is not a capability; {type.DisplayName} offers {Offers(type)}.").ToArray();
        if (errors.Length > 0)
        {
            throw new PortalException(PortalErrorKind.Validation, errors[0], new Dictionary<string, string[]> { [EnabledField] = errors });
        }

        // Kept in the catalog's order, once each, whatever order they came in.
        return [.. offered.Where(list.Contains)];
    }

    public const string EnabledField = "EnabledCapabilities";

    private static string Offers(IntegrationType type) =>
        type.RoutableCapabilities.Count == 0 ? "none" : string.Join(", ", type.RoutableCapabilities);

    /// <summary>A capability in words, for checkboxes and the rules page.</summary>
    public static string Describe(string capability) => capability switch
    {
        InitiatePayment => "Initiate payments",
        ProcessRefund => "Process refunds",
        VerifyPayment => "Verify payments",
        SendSms => "Send SMS",
        SendWhatsApp => "Send WhatsApp messages",
        SendEmail => "Send email",
        Notify => "Notify (deliver a message)",
        _ => capability,
    };
}

public static class Categories
{
    public const string UtilityData = "Utility data";
    public const string Weather = "Weather";
    public const string Telematics = "Telematics";
    public const string Notification = "Notification";
    public const string Messaging = "Messaging";
    public const string Payment = "Payment";
    public const string Data = "Data";
}
