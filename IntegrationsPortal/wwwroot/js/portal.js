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
