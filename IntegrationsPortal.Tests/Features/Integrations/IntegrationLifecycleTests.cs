using IntegrationsPortal.Features.Integrations;

namespace IntegrationsPortal.Tests.Features.Integrations;

public sealed class IntegrationLifecycleTests
{
    private const IntegrationStatus Pending = IntegrationStatus.PendingVerify;
    private const IntegrationStatus Active = IntegrationStatus.Active;
    private const IntegrationStatus Inactive = IntegrationStatus.Inactive;
    private const IntegrationStatus Error = IntegrationStatus.Error;

    // Every (state, event) pair the portal allows, and where it leads (for something verified before).
    public static TheoryData<IntegrationStatus, LifecycleEvent, IntegrationStatus> Allowed => new()
    {
        { Pending, LifecycleEvent.VerificationSucceeded, Active },
        { Pending, LifecycleEvent.VerificationFailed, Error },
        { Pending, LifecycleEvent.Disable, Inactive },
        { Pending, LifecycleEvent.CredentialsChanged, Pending },
        { Active, LifecycleEvent.Disable, Inactive },
        { Active, LifecycleEvent.CredentialsChanged, Pending },
        { Active, LifecycleEvent.VerifyRequested, Pending },
        { Active, LifecycleEvent.CredentialsRejected, Error },
        { Active, LifecycleEvent.DeliveryGone, Error },
        { Active, LifecycleEvent.DeliveryFailing, Error },
        { Pending, LifecycleEvent.DeliveryGone, Error },
        { Pending, LifecycleEvent.DeliveryFailing, Error },
        { Error, LifecycleEvent.Disable, Inactive },
        { Error, LifecycleEvent.CredentialsChanged, Pending },
        { Error, LifecycleEvent.VerifyRequested, Pending },
        { Pending, LifecycleEvent.VerifyRequested, Pending },
        { Inactive, LifecycleEvent.Activate, Active },
        { Inactive, LifecycleEvent.CredentialsChanged, Pending },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void AllowedTransition_LeadsToTheNextState(IntegrationStatus from, LifecycleEvent happening, IntegrationStatus to)
    {
        Assert.Equal(to, IntegrationLifecycle.Next(from, happening, everVerified: true));
        Assert.True(IntegrationLifecycle.Allows(from, happening));
    }

    [Fact]
    public void EveryOtherTransition_IsRefusedAsAConflict()
    {
        var allowed = Allowed.Select(row => (row.Data.Item1, row.Data.Item2)).ToHashSet();
        var refused = Enum.GetValues<IntegrationStatus>()
            .SelectMany(from => Enum.GetValues<LifecycleEvent>().Select(happening => (from, happening)))
            .Where(pair => !allowed.Contains(pair))
            .ToList();

        Assert.Equal(Enum.GetValues<IntegrationStatus>().Length * Enum.GetValues<LifecycleEvent>().Length - allowed.Count, refused.Count);
        Assert.All(refused, pair =>
        {
            Assert.False(IntegrationLifecycle.Allows(pair.from, pair.happening));
            var error = Assert.Throws<PortalException>(() => IntegrationLifecycle.Next(pair.from, pair.happening, everVerified: true));
            Assert.Equal(PortalErrorKind.Conflict, error.Kind);
        });
    }

    [Fact]
    public void Activate_OfSomethingNeverVerified_GoesToVerification()
    {
        Assert.Equal(Pending, IntegrationLifecycle.Next(Inactive, LifecycleEvent.Activate, everVerified: false));
    }

    [Theory]
    [InlineData(Error, LifecycleEvent.Activate, "An integration in error cannot be activated: fix its credentials or run Verify now.")]
    [InlineData(Active, LifecycleEvent.Activate, "The integration is already active.")]
    [InlineData(Inactive, LifecycleEvent.Disable, "The integration is already inactive.")]
    [InlineData(Inactive, LifecycleEvent.VerifyRequested, "Activate the integration before verifying it.")]
    public void RefusedTransition_SaysWhatToDo(IntegrationStatus from, LifecycleEvent happening, string message)
    {
        Assert.Equal(message, Assert.Throws<PortalException>(() => IntegrationLifecycle.Next(from, happening, everVerified: true)).Message);
    }
}
