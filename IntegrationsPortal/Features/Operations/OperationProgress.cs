using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Operations;

/// <summary>Hears from the dispatcher which messages ended and moves their operations on, as each operation's organization.</summary>
public sealed class OperationProgress(IServiceScopeFactory scopes, ILogger<OperationProgress> logger) : IOutboxObserver
{
    public async Task MessagesEndedAsync(IReadOnlyList<EndedMessage> ended, CancellationToken ct)
    {
        foreach (var message in ended.Where(e => Operation.FromMessageKey(e.Message.IdempotencyKey) is not null))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(message.Message.OrganizationId);
                await scope.ServiceProvider.GetRequiredService<OperationService>().MessageEndedAsync(message, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError("Operation of message {MessageId} could not move on: {Exception}", message.Message.Id, e.GetType().Name);
            }
        }
    }
}
