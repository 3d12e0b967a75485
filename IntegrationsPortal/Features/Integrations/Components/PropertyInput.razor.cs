using IntegrationsPortal.Features.Catalog;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Integrations.Components;

public partial class PropertyInput
{
    [Parameter, EditorRequired]
    public required PropertySpec Spec { get; set; }

    [Parameter]
    public string? Value { get; set; }

    [Parameter]
    public EventCallback<string?> ValueChanged { get; set; }

    [Parameter]
    public string? Error { get; set; }

    [Parameter]
    public bool Disabled { get; set; }

    [Parameter]
    public bool SecretIsSet { get; set; }

    private string InputId => $"property-{Spec.Name}";

    // The asterisk is part of the label (Mud's Required would add its own "Required" message beside ours).
    private string Label => Spec.Required ? $"{Spec.Label} *" : Spec.Label;

    private string? Required => Spec.Required ? "true" : null;

    /// <summary>A list that holds one item at most (an email's From address) is one line, like any single value.</summary>
    private bool IsList => Spec.Type is PropertyType.EmailList or PropertyType.PhoneList && Spec.MaxItems != 1;

    private int Lines => Spec.Type switch
    {
        _ when IsList => 2,
        PropertyType.Certificate => 6,
        _ => 1,
    };

    private string? Placeholder => Spec.Type switch
    {
        _ when IsList => Spec.Placeholder is null ? "One per line or comma-separated" : $"{Spec.Placeholder}, one per line or comma-separated",
        PropertyType.Certificate => "-----BEGIN CERTIFICATE-----",
        _ => Spec.Placeholder,
    };

    /// <summary>The help and the error below the input, so a screen reader reads them with it.</summary>
    private string? DescribedBy =>
        string.Join(' ', new[] { Spec.Help is null ? null : $"{InputId}-help", Error is null ? null : $"{InputId}-error" }.OfType<string>()) is { Length: > 0 } ids
            ? ids
            : null;

    private Task ChangeAsync(string? value) => ValueChanged.InvokeAsync(value);
}
