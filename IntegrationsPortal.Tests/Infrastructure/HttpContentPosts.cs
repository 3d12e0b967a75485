using System.Text;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// Posts that own their request body: a form or a JSON text made here is disposed here, once the
/// response has come (CA2000). Typed bodies go through <c>PostAsJsonAsync</c> as before.
/// </summary>
public static class HttpContentPosts
{
    /// <summary>Posts <paramref name="fields"/> as application/x-www-form-urlencoded, as a browser's form would.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(this HttpClient client, string path, IEnumerable<KeyValuePair<string, string>> fields, CancellationToken ct)
    {
        using var content = new FormUrlEncodedContent(fields);
        return await client.PostAsync(path, content, ct);
    }

    /// <summary>Posts JSON exactly as written (malformed or oddly shaped on purpose, where a test needs it).</summary>
    public static async Task<HttpResponseMessage> PostJsonTextAsync(this HttpClient client, string path, string json, CancellationToken ct)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await client.PostAsync(path, content, ct);
    }
}
