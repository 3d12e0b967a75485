using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Delivery;

/// <summary>
/// An egress type that offers Test send needs a sender; a type that verifies its recipients needs
/// recipient-list hooks and a sender that can text the code (<see cref="ITextMessageSender"/>), and
/// only such a type has the hooks. Here because the text sender is Delivery's.
/// </summary>
public sealed class SenderRequirement(TypeCode<IDeliverySender> senders, TypeCode<IRecipientListHooks> recipients) : ITypeCodeRequirement
{
    public IEnumerable<string> Missing(IntegrationType type)
    {
        var name = ITypeCodeRequirement.Name(type);
        if (type.Direction == IntegrationDirection.Egress && type.Can(Capabilities.TestSend) && !senders.Has(type.Key))
        {
            yield return $"{name} offers Test send but has no sender: register an IDeliverySender marked [ForTypes(\"{type.Key}\")].";
        }

        if (type.VerifiesRecipients && (!recipients.Has(type.Key) || senders.For(type.Key) is not ITextMessageSender))
        {
            yield return $"{name} verifies its recipients but lacks an IRecipientListHooks or a sender that can text a code (ITextMessageSender), marked [ForTypes(\"{type.Key}\")].";
        }
        else if (!type.VerifiesRecipients && recipients.Has(type.Key))
        {
            yield return $"{name} has recipient-list hooks but its catalog entry does not set VerifiesRecipients.";
        }
    }
}

public static class SenderTypeCodeExtensions
{
    /// <summary>A payload to start a Test send from, shaped for what the type's sender reads.</summary>
    public static string SamplePayload(this TypeCode<IDeliverySender> senders, IntegrationType type) =>
        senders.For(type.Key)?.SamplePayload(type) ?? SamplePayloads.Data;
}
