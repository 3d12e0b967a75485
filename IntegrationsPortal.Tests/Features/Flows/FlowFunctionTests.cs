using System.Diagnostics;
using IntegrationsPortal.Features.Flows;

namespace IntegrationsPortal.Tests.Features.Flows;

/// <summary>
/// The function sandbox, on its real big-stack threads: results, logs, and every limit ending a
/// hostile function quickly with a clear error while the sandbox keeps serving the next call.
/// </summary>
public sealed class FlowFunctionTests : IDisposable
{
    private const string Message = """{"metric":"kwh","value":1.5,"deviceName":"Main meter"}""";
    private const string Context = """{"flowName":"Meters","placePath":"Site / Hall"}""";
    private readonly FunctionSandbox _sandbox = new(new FunctionLimits());

    [Fact]
    public async Task Transform_ReturningAnObject_GivesOneMessage_AndCapturesConsoleLog()
    {
        var result = await RunAsync("""
            function transform(message, context) {
              console.log('got', message.metric, { v: message.value });
              return { kwh: message.value * 1000, flow: context.flowName, where: context.placePath };
            }
            """);

        Assert.Null(result.Error);
        Assert.Equal(["""{"kwh":1500,"flow":"Meters","where":"Site / Hall"}"""], result.Messages);
        Assert.Equal(["""got kwh {"v":1.5}"""], result.Logs);
    }

    [Fact]
    public async Task Transform_ReturningAnArray_FansOut_AndNull_Drops()
    {
        var fanOut = await RunAsync("function transform(m) { return [{ n: 1 }, { n: 2 }, { n: 3 }]; }");
        var dropped = await RunAsync("function transform(m) { return m.value > 10 ? m : null; }");

        Assert.Equal(3, fanOut.Messages.Count);
        Assert.False(dropped.Failed);
        Assert.Empty(dropped.Messages);
    }

    [Fact]
    public async Task Exception_FailsWithItsMessageAndLine()
    {
        var result = await RunAsync("function transform(m) {\n  var x = 1;\n  throw new Error('meter offline');\n}");

        Assert.Matches("^line 3: .*meter offline$", result.ErrorText!);
        Assert.Empty(result.Messages);
    }

    [Fact]
    public async Task ReturningNothingOrAString_IsAnErrorThatSaysWhatToReturn()
    {
        Assert.Contains("or null to drop", (await RunAsync("function transform(m) { }")).Error, StringComparison.Ordinal);
        Assert.Contains("must return objects", (await RunAsync("function transform(m) { return 'x'; }")).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SyntaxError_IsReportedWithItsLine_WhenCompiling()
    {
        var problem = await _sandbox.RunAsync(() =>
        {
            FlowFunction.TryCompile("function transform(m) {\n  return { a: 1 \n}", _sandbox.Limits, out var p);
            return p;
        });

        Assert.NotNull(problem);
        Assert.NotNull(problem.Line);
    }

    [Fact]
    public async Task MissingTransform_IsACompileProblem()
    {
        var problem = await _sandbox.RunAsync(() =>
        {
            FlowFunction.TryCompile("function convert(m) { return m; }", _sandbox.Limits, out var p);
            return p;
        });

        Assert.Contains("Define function transform", problem?.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndlessLoop_IsStoppedQuickly()
    {
        var (result, elapsed) = await TimedAsync("function transform(m) { while (true) { } }");

        Assert.True(result.Failed);
        Assert.Matches("too many statements|time limit", result.Error!);
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"stopped after {elapsed}");
        await SandboxStillWorksAsync();
    }

    [Fact]
    public async Task HugeAllocation_IsStoppedQuickly()
    {
        var (strings, stringsTook) = await TimedAsync("function transform(m) { var s = 'x'; while (true) { s = s + s; } }");
        var (array, arrayTook) = await TimedAsync("function transform(m) { return { a: new Array(100000000) }; }");

        Assert.Matches("memory|Invalid string length", strings.Error!);
        Assert.Contains("memory", array.Error, StringComparison.Ordinal);
        Assert.True(stringsTook + arrayTook < TimeSpan.FromSeconds(3), $"stopped after {stringsTook} and {arrayTook}");
        await SandboxStillWorksAsync();
    }

    [Fact]
    public async Task DeepRecursion_IsStoppedQuickly()
    {
        var (result, elapsed) = await TimedAsync("function down(n) { return down(n + 1); }\nfunction transform(m) { return down(0); }");

        Assert.Contains("called itself too deeply", result.Error, StringComparison.Ordinal);
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"stopped after {elapsed}");
        await SandboxStillWorksAsync();
    }

    [Fact]
    public async Task DeeplyNestedValue_InJsonStringify_DoesNotCrashTheProcess()
    {
        // Jint's JSON.stringify recurses natively; on a normal stack this nesting overflows it and ends the process.
        var (result, _) = await TimedAsync("function transform(m) { var a = {}; for (var i = 0; i < 60000; i++) { a = { a: a }; } return { n: JSON.stringify(a).length }; }");

        Assert.True(result.Failed || result.Messages.Count == 1);
        await SandboxStillWorksAsync();
    }

    [Theory]
    [InlineData("return System.IO.File.ReadAllText('/etc/passwd');")]
    [InlineData("return importNamespace('System.IO');")]
    [InlineData("return { t: typeof clr, h: typeof host, r: require('fs') };")]
    [InlineData("return { p: fetch('http://127.0.0.1/') };")]
    public async Task ReachingForDotNetFilesOrNetwork_FindsNothing(string body)
    {
        var result = await RunAsync($"function transform(m) {{ {body} }}");

        Assert.True(result.Failed);
        Assert.Contains("is not defined", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsoleLogIsTheOnlyHostFunction_AndItsConstructorReachesNoClrType()
    {
        var result = await RunAsync("function transform(m) { var F = console.log.constructor; return { g: Object.keys(globalThis).filter(function (k) { return k === 'console' || /clr|host|System/i.test(k); }), f: typeof F('return 1') }; }");

        Assert.Equal(["""{"g":["console"],"f":"function"}"""], result.Messages);
    }

    private async Task SandboxStillWorksAsync()
    {
        var result = await RunAsync("function transform(m) { return { ok: true }; }");
        Assert.Equal(["""{"ok":true}"""], result.Messages);
    }

    private async Task<(FunctionResult Result, TimeSpan Elapsed)> TimedAsync(string code)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await RunAsync(code);
        return (result, Stopwatch.GetElapsedTime(started));
    }

    private Task<FunctionResult> RunAsync(string code) => _sandbox.RunAsync(() =>
    {
        var function = FlowFunction.TryCompile(code, _sandbox.Limits, out var problem);
        return function?.Invoke(Message, Context) ?? problem!;
    });

    public void Dispose() => _sandbox.Dispose();
}
