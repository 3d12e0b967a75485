using Bunit;
using IntegrationsPortal.Components.Shared;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Tests.Components.Shared;

public sealed class PageErrorBoundaryTests : ComponentTest
{
    [Fact]
    public void FailingPage_ShowsARecoverableError_WithoutItsText_AndTryAgainRendersThePageAgain()
    {
        var failing = true;
        var boundary = Render<PageErrorBoundary>(p => p.AddChildContent<Thrower>(t => t.Add(x => x.Fail, () => failing)));

        Assert.NotNull(boundary.Find("[data-testid=page-error]"));
        Assert.DoesNotContain("secret-in-message", boundary.Markup, StringComparison.Ordinal);

        failing = false;
        boundary.Find("[data-testid=page-error-retry]").Click();

        Assert.Empty(boundary.FindAll("[data-testid=page-error]"));
        Assert.Equal("page body", boundary.Find("p").TextContent);
    }

    private sealed class Thrower : ComponentBase
    {
        [Parameter]
        public required Func<bool> Fail { get; set; }

        protected override void BuildRenderTree(Microsoft.AspNetCore.Components.Rendering.RenderTreeBuilder builder)
        {
            if (Fail())
            {
                throw new InvalidOperationException("secret-in-message");
            }

            builder.AddMarkupContent(0, "<p>page body</p>");
        }
    }
}
