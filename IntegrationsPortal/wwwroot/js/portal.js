// Small browser-side helpers the circuit calls. A file rather than inline script: the CSP allows only 'self'.
window.portal = {
    // The operator's light/dark choice, read by the server on the next visit for its first paint.
    rememberTheme: function (mode) {
        document.cookie = "portal-theme=" + mode + "; path=/; max-age=31536000; samesite=lax";
    },
    // A secret shown once (a new API key): onto the clipboard without the operator selecting it.
    copyText: function (text) {
        return navigator.clipboard.writeText(text);
    }
};

// Focus for dialogs. MudBlazor's focus trap moves the focus into a new dialog from the server, one or two
// round trips after the dialog appears; on a busy server that was after the operator had clicked a field
// and started typing, and the rest of the keystrokes went to the trap's empty element (issue 20). The
// dialogs are told to leave the focus alone (MainLayout: DefaultFocus.None) and the browser moves it here,
// as the dialog appears, before the operator can click anything: into the first text field, or the
// dialog itself. A field that renders later (the form was loading) takes the focus only if the operator
// has not put it anywhere yet. When the dialog closes, the focus goes back to what opened it.
(function () {
    const fieldSelector = "input:not([type=hidden]):not([type=file]):not([type=checkbox]):not([type=radio]):not([disabled]):not([readonly]), textarea:not([disabled]):not([readonly])";
    const openers = new WeakMap();
    const placed = new WeakSet();
    let open = [];

    function firstField(dialog) {
        for (const field of dialog.querySelectorAll(fieldSelector)) {
            if (field.getClientRects().length > 0) return field;
        }
        return null;
    }

    function settle() {
        const dialogs = Array.from(document.querySelectorAll(".mud-dialog-container"));
        const active = document.activeElement;
        for (const closed of open.filter(d => !d.isConnected)) {
            const opener = openers.get(closed);
            if (opener && opener.isConnected && (!document.activeElement || document.activeElement === document.body)) opener.focus();
        }
        for (const added of dialogs.filter(d => !open.includes(d))) openers.set(added, active);
        open = dialogs;

        const top = dialogs[dialogs.length - 1];
        if (!top || placed.has(top)) return;
        const trapElement = top.querySelector(".mud-focus-trap > .fixed[tabindex='-1']");
        if (active && active !== trapElement && top.contains(active)) {
            placed.add(top); // the operator chose: a later refresh never moves it
            return;
        }
        const field = firstField(top);
        const target = field || trapElement;
        if (target && target !== active) target.focus();
        if (field) placed.add(top);
    }

    new MutationObserver(settle).observe(document.documentElement, { childList: true, subtree: true });
})();

// The reconnect notice's Reload (Components/Shared/ReconnectModal.razor): the page the operator is on, again.
document.addEventListener("click", function (event) {
    if (event.target instanceof Element && event.target.closest(".reconnect-reload")) location.reload();
});
