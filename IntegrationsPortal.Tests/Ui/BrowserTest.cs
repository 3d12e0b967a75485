using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace IntegrationsPortal.Tests.Ui;

/// <summary>
/// Base for browser tests: a fresh browser context and page per test against a portal on loopback,
/// and a full-page screenshot in artifacts/screenshots when the test fails.
/// </summary>
public abstract class BrowserTest(ChromiumFixture chromium) : IAsyncLifetime
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _consoleErrorsQueue = new();
    private IBrowserContext _context = default!;

    protected IPage Page { get; private set; } = default!;

    protected abstract Uri RootUri { get; }

    public virtual async ValueTask InitializeAsync()
    {
        _context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = RootUri.ToString(),
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
        _context.SetDefaultTimeout(15_000);
        Page = await _context.NewPageAsync();
        // Circuit errors surface in the browser console: kept for the report of a failed test.
        Page.Console += (_, message) =>
        {
            if (message.Type is "error")
            {
                _consoleErrorsQueue.Enqueue(message.Text);
            }
        };
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (TestContext.Current.TestState?.Result == TestResult.Failed)
        {
            var name = string.Concat((TestContext.Current.Test?.TestDisplayName ?? "test").Select(c => char.IsLetterOrDigit(c) ? c : '_'));
            var path = Path.Combine(ArtifactsDirectory(), "screenshots", name[..Math.Min(name.Length, 150)] + ".png");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
            TestContext.Current.SendDiagnosticMessage($"Screenshot of the failure: {path}");
            foreach (var error in _consoleErrorsQueue)
            {
                TestContext.Current.SendDiagnosticMessage($"Browser console: {error}");
            }
        }

        await _context.DisposeAsync();
    }

    /// <summary>A second browser of its own (another person), on the same portal; the caller disposes it.</summary>
    protected Task<IBrowserContext> NewBrowserContextAsync() =>
        chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = RootUri.ToString() });

    /// <summary>Opens a page and waits until its Blazor circuit is live, so clicks are handled.</summary>
    protected async Task GotoInteractiveAsync(string path)
    {
        await Page.GotoAsync(path);
        await WaitForInteractiveAsync();
    }

    protected Task WaitForInteractiveAsync() =>
        Assertions.Expect(Page.Locator("[data-interactive=true]")).ToBeVisibleAsync();

    protected ILocator ByTestId(string testId) => Page.GetByTestId(testId);

    /// <summary>
    /// Opens the MudSelect <paramref name="select"/> and picks <paramref name="option"/> in its own popover, then
    /// waits for the popover to close. Scoped to the open popover: a popover still closing (an earlier select's)
    /// or a selectable list on the page has options too, and a click on one of those picks nothing (CI saw the
    /// Places walk's place select stay open on its old value that way). <paramref name="wholeText"/> false picks
    /// the option that contains <paramref name="option"/>, for options that show more than a name.
    /// </summary>
    protected async Task PickOptionAsync(string select, string option, bool wholeText = true)
    {
        await ByTestId(select).ClickAsync();
        var text = wholeText
            ? new LocatorFilterOptions { HasTextRegex = new System.Text.RegularExpressions.Regex($"^\\s*{System.Text.RegularExpressions.Regex.Escape(option)}\\s*$") }
            : new LocatorFilterOptions { HasText = option };
        await Page.Locator(".mud-popover-open").GetByRole(AriaRole.Option).Filter(text).ClickAsync();
        await Assertions.Expect(Page.Locator(".mud-popover-open").GetByRole(AriaRole.Option)).ToHaveCountAsync(0);
    }

    /// <summary>
    /// Clicks what opens a MudBlazor dialog and waits until it shows. The focus is in the dialog as it
    /// appears (portal.js), so keystrokes typed at once are kept: DialogFocusUiTests proves it.
    /// </summary>
    protected async Task OpenDialogAsync(ILocator opener)
    {
        await opener.ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Dialog).Last).ToBeVisibleAsync();
    }

    protected async Task SignInAsync(string email, string password = TestPasswords.Strong)
    {
        await Page.GotoAsync("/account/login");
        await ByTestId("login-email").FillAsync(email);
        await ByTestId("login-password").FillAsync(password);
        await ByTestId("login-submit").ClickAsync();
        await WaitForInteractiveAsync();
    }

    /// <summary>Signs out through the user menu in the app bar.</summary>
    protected async Task SignOutAsync()
    {
        await ByTestId("user-menu-open").ClickAsync();
        await ByTestId("sign-out").ClickAsync();
    }

    /// <summary>Opens a tab of a MudTabs by its name (tabs are role=tab with the tab's text).</summary>
    protected Task OpenTabAsync(string name) =>
        Page.GetByRole(AriaRole.Tab, new() { Name = name, Exact = true }).ClickAsync();

    /// <summary>
    /// Runs axe on the page as it is now (or on the part <paramref name="within"/> selects) and fails on
    /// any violation of impact serious or critical, naming each rule and the elements it found. Minor
    /// and moderate findings are left to review.
    /// </summary>
    protected async Task ExpectNoSeriousAccessibilityViolationsAsync(string where, string? within = null)
    {
        // Colours mid-fade (a snackbar sliding in) are not what the operator reads: let finite
        // animations end first (spinners run forever and are left alone).
        await Page.WaitForFunctionAsync(
            "() => document.getAnimations().every(a => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity)");
        var result = within is null ? await Page.RunAxe() : await Page.Locator(within).RunAxe();

        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"axe on {where}:\n" + string.Join("\n", serious.Select(Describe)));

        static string Describe(AxeResultItem violation) =>
            $"- {violation.Impact} {violation.Id}: {violation.Help}\n" +
            string.Join("\n", violation.Nodes.Take(5).Select(n => $"    {n.Target} {n.Html}\n      {string.Join("; ", n.Any.Select(c => c.Message))}"));
    }

    /// <summary>Saves a full-page screenshot under artifacts/screenshots (the first-run walk keeps one per page).</summary>
    protected async Task SaveScreenshotAsync(string name) =>
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDirectory(), "screenshots", name + ".png"), FullPage = true });

    private static string ArtifactsDirectory()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "IntegrationsPortal.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? AppContext.BaseDirectory, "artifacts");
    }
}
