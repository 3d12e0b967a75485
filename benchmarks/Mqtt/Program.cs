using System.Diagnostics;
using System.Globalization;
using System.Text;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Mqtt;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Events;
using IntegrationsPortal.Infrastructure.Http;
using IntegrationsPortal.Tests.Features.Mqtt;
using Microsoft.Extensions.DependencyInjection;

// Publishes N messages through the portal's MqttSender (topic resolved from the payload, the integration's
// one connection from MqttConnections, MQTTnet underneath, opened through the outbound policy; all at once,
// so many are in flight) and with mosquitto_pub -l (the broker project's own C client, as the ceiling), at
// QoS 0 and QoS 1, to a Mosquitto of its own.
// Arguments: [count] [--v5] (both clients speak MQTT 5.0, ours keeping to the broker's Receive Maximum).
var v5 = args.Contains("--v5");
var count = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 50_000;
const string MosquittoPub = "/usr/bin/mosquitto_pub";
const string Payload = """{"meter":"m-0042","kWh":1234.5,"at":"2026-11-22T00:00:00Z"}""";

// The broker is on loopback, which the policy refuses unless an operator allows it.
var loopbackAllowed = new OutboundAddressPolicy(new OutboundPolicyOptions { AllowedNetworks = ["127.0.0.0/8"] });
var scopes = new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>();
await using var broker = await MosquittoBroker.StartAsync();
Console.WriteLine($"{count:N0} messages of {Encoding.UTF8.GetByteCount(Payload)} bytes to Mosquitto on 127.0.0.1:{broker.Port} over MQTT {(v5 ? "5.0" : "3.1.1")}");

// Warm-up: JIT and the first connection are not what we measure.
await OursAsync(1, 2_000);

Console.WriteLine($"{"",-22}{"msg/s",12}{"seconds",10}");
foreach (var qos in new[] { 0, 1 })
{
    var ours = await OursAsync(qos, count);
    var ceiling = await MosquittoPubAsync(qos, count);
    Report($"MqttSender QoS {qos}", ours);
    Report($"mosquitto_pub QoS {qos}", ceiling);
    Console.WriteLine($"{"ours / ceiling",-22}{ceiling / ours,12:P0}");
}

void Report(string name, TimeSpan elapsed) =>
    Console.WriteLine($"{name,-22}{count / elapsed.TotalSeconds,12:N0}{elapsed.TotalSeconds,10:N2}");

async Task<TimeSpan> OursAsync(int qos, int messages)
{
    var integration = new ConfiguredIntegration(Guid.NewGuid(), CatalogService.Get("mqtt"), new Dictionary<string, string>
    {
        ["host"] = broker.Host, ["port"] = broker.Port.ToString(CultureInfo.InvariantCulture), ["topic"] = "bench/ours/{meter}",
        ["qos"] = qos.ToString(CultureInfo.InvariantCulture), ["protocol_version"] = v5 ? "5.0" : "3.1.1",
    }, new Dictionary<string, string>(), 1, IntegrationStatus.Active);
    await using var connections = new MqttConnections(new IntegrationEvents(new LiveEvents(new PortalDatabase(DatabaseProvider.Sqlite))), scopes, loopbackAllowed);
    var sender = new MqttSender(connections, new DeliveryOptions());
    ConfiguredIntegrationMessage Message() => new(integration, Guid.NewGuid(), "meter.reading", Payload, DateTimeOffset.UtcNow);
    // Connecting is once per integration, not per message: outside the clock.
    Check(await sender.SendAsync(Message(), CancellationToken.None));
    var clock = Stopwatch.StartNew();
    var outcomes = await Task.WhenAll(Enumerable.Range(0, messages).Select(_ => sender.SendAsync(Message(), CancellationToken.None)));
    var elapsed = clock.Elapsed;
    Array.ForEach(outcomes, Check);
    return elapsed;
}

static void Check(DeliveryOutcome outcome)
{
    if (!outcome.Succeeded)
    {
        throw new InvalidOperationException($"A publish failed: {outcome.ErrorClass} {outcome.ErrorMessage}");
    }
}

async Task<TimeSpan> MosquittoPubAsync(int qos, int messages)
{
    var start = new ProcessStartInfo(MosquittoPub, ["-h", broker.Host, "-p", broker.Port.ToString(CultureInfo.InvariantCulture), "-q", qos.ToString(CultureInfo.InvariantCulture), "-t", "bench/mosquitto_pub", "-l", "-V", v5 ? "5" : "311"])
    {
        RedirectStandardInput = true,
        UseShellExecute = false,
    };
    var lines = string.Concat(Enumerable.Repeat(Payload + "\n", messages));
    var clock = Stopwatch.StartNew();
    using var process = Process.Start(start)!;
    await process.StandardInput.WriteAsync(lines);
    process.StandardInput.Close();
    await process.WaitForExitAsync();
    return process.ExitCode == 0 ? clock.Elapsed : throw new InvalidOperationException($"mosquitto_pub exited with {process.ExitCode}.");
}
