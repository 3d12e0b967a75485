using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IntegrationsPortal.Tests.Ui;

/// <summary>
/// Keystrokes typed right after a dialog opens land in the field the operator clicked, however late the
/// server's own focus handling arrives (issue 20: a place saved as "North Campus22.4193"). The circuit's
/// WebSocket runs through Playwright so the test decides when the server's focus calls reach the page:
/// on a busy server they arrive after the operator has started typing.
/// </summary>
[Collection(SetUpPortalUiCollection.Name)]
public sealed partial class DialogFocusUiTests(ChromiumFixture chromium, SetUpPortalUiFixture portal) : BrowserTest(chromium)
{
    protected override Uri RootUri => portal.App.RootUri!;

    [Fact]
    public async Task TypingRightAfterADialogOpens_KeepsEveryKeystroke_WhenTheServersFocusCallsArriveLate()
    {
        var circuit = new DelayedFocusCalls();
        await Page.RouteWebSocketAsync(BlazorSocket(), circuit.Attach);
        await SignInAsync(SetUpPortalUiFixture.OperatorEmail);
        await GotoInteractiveAsync("/places");

        circuit.Hold();
        await ByTestId("place-new-root").ClickAsync();
        var name = ByTestId("place-form-name");
        await name.ClickAsync();
        await name.PressSequentiallyAsync("North");

        // The server's focus calls reach the page now, while the operator is still typing.
        await circuit.ReleaseAsync();
        await Page.Keyboard.TypeAsync(" ");
        await circuit.NextServerFrameAsync();
        await Page.EvaluateAsync("() => new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve)))");
        await Page.Keyboard.TypeAsync("Campus");

        await Expect(name).ToHaveValueAsync("North Campus");
        await Expect(name).ToBeFocusedAsync();
    }

    [GeneratedRegex("/_blazor")]
    private static partial Regex BlazorSocket();

    /// <summary>
    /// Forwards the circuit's frames both ways, except that while held it keeps back the server's calls
    /// into MudBlazor's focus script (the dialog's focus trap), to send them later in order.
    /// </summary>
    private sealed class DelayedFocusCalls
    {
        private readonly Lock _gate = new();
        private readonly List<IWebSocketFrame> _held = [];
        private IWebSocketRoute? _page;
        private bool _holding;
        private int _pageReplies;
        private int _serverFrames;

        public void Attach(IWebSocketRoute page)
        {
            var server = page.ConnectToServer();
            _page = page;
            page.OnMessage(frame =>
            {
                Forward(frame, server);
                if (Contains(frame, "EndInvokeJSFromDotNet"))
                {
                    Interlocked.Increment(ref _pageReplies);
                }
            });
            server.OnMessage(frame =>
            {
                lock (_gate)
                {
                    if (_holding && Contains(frame, "mudElementRef.saveFocus"))
                    {
                        _held.Add(frame);
                        return;
                    }
                }

                Forward(frame, page);
                Interlocked.Increment(ref _serverFrames);
            });
        }

        public void Hold()
        {
            lock (_gate)
            {
                _holding = true;
            }
        }

        /// <summary>Sends the held calls to the page and waits until the page has answered them.</summary>
        public async Task ReleaseAsync()
        {
            var replies = Volatile.Read(ref _pageReplies);
            List<IWebSocketFrame> held;
            lock (_gate)
            {
                _holding = false;
                held = [.. _held];
                _held.Clear();
            }

            Assert.NotEmpty(held);
            foreach (var frame in held)
            {
                Forward(frame, _page!);
            }

            await WaitUntilAsync(() => Volatile.Read(ref _pageReplies) >= replies + held.Count, "the page to answer the focus calls");
            _serverFramesAtRelease = Volatile.Read(ref _serverFrames);
        }

        private int _serverFramesAtRelease;

        /// <summary>
        /// Waits for the server's next frame after the page answered: whatever the server does in
        /// response to that answer (moving the focus) it sends before the render of a later keystroke.
        /// </summary>
        public Task NextServerFrameAsync() =>
            WaitUntilAsync(() => Volatile.Read(ref _serverFrames) > _serverFramesAtRelease, "the server's next frame");

        private static void Forward(IWebSocketFrame frame, IWebSocketRoute to)
        {
            if (frame.Binary is { } binary)
            {
                to.Send(binary);
            }
            else
            {
                to.Send(frame.Text ?? "");
            }
        }

        private static bool Contains(IWebSocketFrame frame, string text) =>
            frame.Binary is { } binary
                ? binary.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0
                : frame.Text?.Contains(text, StringComparison.Ordinal) == true;

        private static Task WaitUntilAsync(Func<bool> condition, string what) => Eventually.TrueAsync(condition, what, TimeSpan.FromSeconds(30));
    }
}
