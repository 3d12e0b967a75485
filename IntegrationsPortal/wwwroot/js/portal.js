// Small browser-side helpers the circuit calls. A file rather than inline script: the CSP allows only 'self'.
window.portal = {
    // The operator's light/dark choice, read by the server on the next visit for its first paint.
    rememberTheme: function (mode) {
        document.cookie = "portal-theme=" + mode + "; path=/; max-age=31536000; samesite=lax";
    }
};
