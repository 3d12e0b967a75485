using System.Text;
using Jint;
using Jint.Native;
using Jint.Native.Json;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace IntegrationsPortal.Features.Flows;

/// <summary>The sandbox's limits: per call of transform. Settings under <c>Portal:Flows:Functions</c>.</summary>
public sealed class FunctionLimits
{
    public const string Section = "Portal:Flows:Functions";

    /// <summary>Wall-clock time per call; capped at 1 s (see docs/decisions/013).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(100);

    public int MaxStatements { get; set; } = 100_000;

    /// <summary>Bytes the call may allocate.</summary>
    public long MaxMemoryBytes { get; set; } = 32 * 1024 * 1024;

    public int MaxRecursionDepth { get; set; } = 64;

    public uint MaxArraySize { get; set; } = 1_000_000;
}

/// <summary>What one call of transform gave: the messages (JSON), the console lines, or the error with its line.</summary>
public sealed record FunctionResult(IReadOnlyList<string> Messages, IReadOnlyList<string> Logs, string? Error, int? Line)
{
    public bool Failed => Error is not null;

    /// <summary>The error as the history shows it: "line 3: boom".</summary>
    public string? ErrorText => Error is null ? null : Line is { } line ? $"line {line}: {Error}" : Error;
}

/// <summary>
/// One compiled flow function in its own Jint engine: strict mode, no CLR access (nothing is exposed
/// but <c>console.log</c>, a JavaScript function that only records text), and every call bounded by
/// <see cref="FunctionLimits"/>. A limit hit or an exception is a failed result, never an exception
/// out of here. Not thread-safe: call it from one <see cref="FunctionSandbox"/> thread at a time.
/// </summary>
public sealed class FlowFunction : IDisposable
{
    private const int MaxLogLines = 100;
    private readonly Engine _engine;
    private readonly JsValue _transform;
    private readonly JsonParser _parser;
    private readonly JsonSerializer _serializer;
    private readonly List<string> _logs = [];
    private int _logChars;

    private FlowFunction(Engine engine, JsValue transform)
    {
        _engine = engine;
        _transform = transform;
        _parser = new JsonParser(engine);
        _serializer = new JsonSerializer(engine);
    }

    /// <summary>Compiles <paramref name="code"/> and finds transform; null and the problem (with its line) when it cannot.</summary>
    public static FlowFunction? TryCompile(string code, FunctionLimits limits, out FunctionResult? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(code))
        {
            problem = Failure("Write a function transform(message, context).", null);
            return null;
        }

        if (code.Length > FlowLimits.FunctionCode)
        {
            problem = Failure($"Keep the code under {FlowLimits.FunctionCode / 1024} KB.", null);
            return null;
        }

#pragma warning disable CA2000 // Disposed in the finally below unless a function takes it; the analyzer does not follow that.
        var engine = new Engine(options => options
            .Strict()
            .TimeoutInterval(Min(limits.Timeout, TimeSpan.FromSeconds(1)))
            .MaxStatements(limits.MaxStatements)
            .LimitMemory(limits.MaxMemoryBytes)
            .LimitRecursion(limits.MaxRecursionDepth)
            .MaxArraySize(limits.MaxArraySize));
#pragma warning restore CA2000
        // The engine is the function's from the moment one is made; every way out before that frees it.
        FlowFunction? function = null;
        try
        {
            var console = new JsObject(engine);
            console.FastSetProperty("log", new PropertyDescriptor(new ClrFunction(engine, "log", (_, args) =>
            {
                function?.Log(args);
                return JsValue.Undefined;
            }), writable: false, enumerable: true, configurable: false));
            engine.SetValue("console", console);
            try
            {
                // Top-level code runs once here, under the same limits as every call.
                engine.Execute(code);
            }
            catch (Exception e) when (Describe(e) is { } failure)
            {
                problem = failure;
                return null;
            }

            var transform = engine.GetValue("transform");
            if (transform is not Jint.Native.Function.Function)
            {
                problem = Failure("Define function transform(message, context); it was not found.", null);
                return null;
            }

            function = new FlowFunction(engine, transform);
            return function;
        }
        finally
        {
            if (function is null)
            {
                engine.Dispose();
            }
        }
    }

    /// <summary>Frees the engine (its realm and the values the calls left on it).</summary>
    public void Dispose() => _engine.Dispose();

    /// <summary>Runs transform on a message (JSON) with its context (JSON).</summary>
    public FunctionResult Invoke(string messageJson, string contextJson)
    {
        _logs.Clear();
        _logChars = 0;
        try
        {
            var result = _engine.Invoke(_transform, JsValue.Undefined, [_parser.Parse(messageJson), _parser.Parse(contextJson)]);
            return Messages(result);
        }
        catch (Exception e) when (Describe(e) is { } failure)
        {
            return failure with { Logs = _logs.ToList() };
        }
        finally
        {
            // A call stopped by a limit can leave the engine's call stack behind.
            _engine.Advanced.ResetCallStack();
        }
    }

    private FunctionResult Messages(JsValue result)
    {
        if (result.IsNull())
        {
            return new FunctionResult([], _logs.ToList(), null, null);
        }

        if (result.IsUndefined())
        {
            return Failure("transform returned nothing: return an object, an array of objects, or null to drop the message.", null) with { Logs = _logs.ToList() };
        }

        var items = result is JsArray array ? array.ToArray() : [result];
        var messages = new List<string>(items.Length);
        foreach (var item in items)
        {
            if (!item.IsObject() || item is JsArray || item is Jint.Native.Function.Function)
            {
                return Failure($"transform must return objects; it returned {(result is JsArray ? "an array holding " : "")}{TypeOf(item)}.", null) with { Logs = _logs.ToList() };
            }

            var json = _serializer.Serialize(item).AsString();
            if (json.Length > FlowLimits.StepOutput)
            {
                return Failure($"A message is {json.Length / 1024} KB; messages may be up to {FlowLimits.StepOutput / 1024} KB.", null) with { Logs = _logs.ToList() };
            }

            messages.Add(json);
        }

        return new FunctionResult(messages, _logs.ToList(), null, null);
    }

    private void Log(JsValue[] args)
    {
        if (_logs.Count >= MaxLogLines || _logChars >= FlowLimits.Logs)
        {
            return;
        }

        var line = new StringBuilder();
        foreach (var arg in args)
        {
            if (line.Length > 0)
            {
                line.Append(' ');
            }

            line.Append(arg.IsString() ? arg.AsString() : _serializer.Serialize(arg).ToString());
        }

        var text = Limits.Shorten(line.ToString(), 1000);
        _logs.Add(text);
        _logChars += text.Length;
    }

    /// <summary>A limit or a script error as words for the operator; null for anything else (a bug of ours, let it surface).</summary>
    private static FunctionResult? Describe(Exception e) => e switch
    {
        JavaScriptException js => Failure(js.Message, js.Location.Start.Line > 0 ? js.Location.Start.Line : null),
        TimeoutException => Failure("The function took longer than its time limit and was stopped.", null),
        StatementsCountOverflowException => Failure("The function ran too many statements and was stopped (an endless loop?).", null),
        MemoryLimitExceededException m => Failure($"The function used too much memory and was stopped ({m.Message}).", null),
        RecursionDepthOverflowException => Failure("The function called itself too deeply and was stopped.", null),
        JintException j => Failure(j.Message, null),
        Acornima.ParseErrorException p => Failure(p.Description, p.LineNumber),
        _ => null,
    };

    private static FunctionResult Failure(string error, int? line) => new([], [], error, line);

    private static string TypeOf(JsValue value) => value switch
    {
        _ when value.IsNull() => "null",
        _ when value.IsUndefined() => "undefined",
        JsArray => "an array",
        _ when value.IsString() => "a string",
        _ when value.IsNumber() => "a number",
        _ when value.IsBoolean() => "a boolean",
        _ => "a function",
    };

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
