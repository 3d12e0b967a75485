using System.Diagnostics;
using System.Globalization;
using System.Text;
using IntegrationsPortal.Features.Mqtt;
using IntegrationsPortal.Infrastructure.Http;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using IntegrationsPortal.Tests.Features.Mqtt;

// Publishes N messages with the portal's broker connection (MQTTnet underneath, opened through the outbound
// policy, as MqttSender uses it; all at once, so many are in flight) and with mosquitto_pub -l (the broker
// project's own C client, as the ceiling), at QoS 0 and QoS 1, to a Mosquitto of its own.
// Arguments: [count] [--v5] (both clients speak MQTT 5.0, ours keeping to the broker's Receive Maximum).
var v5 = args.Contains("--v5");
var count = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 50_000;
var version = v5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311;
const string MosquittoPub = "/usr/bin/mosquitto_pub";
var payload = Encoding.UTF8.GetBytes("""{"meter":"m-0042","kWh":1234.5,"at":"2026-11-22T00:00:00Z"}""");

// The broker is on loopback, which the policy refuses unless an operator allows it.
var loopbackAllowed = new OutboundAddressPolicy(new OutboundPolicyOptions { AllowedNetworks = ["127.0.0.0/8"] });
await using var broker = await MosquittoBroker.StartAsync();
Console.WriteLine($"{count:N0} messages of {payload.Length} bytes to Mosquitto on 127.0.0.1:{broker.Port} over MQTT {(v5 ? "5.0" : "3.1.1")}");

// Warm-up: JIT and the first connection are not what we measure.
await OursAsync(MqttQualityOfServiceLevel.AtLeastOnce, 2_000);

Console.WriteLine($"{"",-22}{"msg/s",12}{"seconds",10}");
foreach (var qos in new[] { MqttQualityOfServiceLevel.AtMostOnce, MqttQualityOfServiceLevel.AtLeastOnce })
{
    var ours = await OursAsync(qos, count);
    var ceiling = await MosquittoPubAsync(qos, count);
    Report($"ours QoS {(int)qos}", ours);
    Report($"mosquitto_pub QoS {(int)qos}", ceiling);
    Console.WriteLine($"{"ours / ceiling",-22}{ceiling / ours,12:P0}");
}

void Report(string name, TimeSpan elapsed) =>
    Console.WriteLine($"{name,-22}{count / elapsed.TotalSeconds,12:N0}{elapsed.TotalSeconds,10:N2}");

async Task<TimeSpan> OursAsync(MqttQualityOfServiceLevel qos, int messages)
{
    await using var connection = await MqttBrokerConnection.ConnectAsync(
        new MqttBrokerSettings { Host = broker.Host, Port = broker.Port, ClientId = "bench-ours", ProtocolVersion = version }, loopbackAllowed, default);
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, messages).Select(_ => connection.PublishAsync("bench/ours", payload, qos)));
    return clock.Elapsed;
}

async Task<TimeSpan> MosquittoPubAsync(MqttQualityOfServiceLevel qos, int messages)
{
    var start = new ProcessStartInfo(MosquittoPub, ["-h", broker.Host, "-p", broker.Port.ToString(CultureInfo.InvariantCulture), "-q", ((int)qos).ToString(CultureInfo.InvariantCulture), "-t", "bench/mosquitto_pub", "-l", "-V", v5 ? "5" : "311"])
    {
        RedirectStandardInput = true,
        UseShellExecute = false,
    };
    var lines = string.Concat(Enumerable.Repeat(Encoding.UTF8.GetString(payload) + "\n", messages));
    var clock = Stopwatch.StartNew();
    using var process = Process.Start(start)!;
    await process.StandardInput.WriteAsync(lines);
    process.StandardInput.Close();
    await process.WaitForExitAsync();
    return process.ExitCode == 0 ? clock.Elapsed : throw new InvalidOperationException($"mosquitto_pub exited with {process.ExitCode}.");
}
