using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Tests.Features.Catalog;

public sealed class PropertyValidatorTests
{
    private static readonly IntegrationType Webhook = CatalogService.Get("webhook");
    private static readonly IntegrationType Email = CatalogService.Get("email");

    private static string? Check(PropertyType type, string? raw, bool required = false, double? min = null, double? max = null,
        int? maxItems = null, params string[] options) =>
        PropertyValidator.ValidateOne(new PropertySpec("p", "Field", type)
        {
            Required = required, Min = min, Max = max, MaxItems = maxItems, Options = options,
        }, raw);

    [Theory]
    [InlineData(PropertyType.String)]
    [InlineData(PropertyType.Secret)]
    [InlineData(PropertyType.Number)]
    [InlineData(PropertyType.Url)]
    [InlineData(PropertyType.EmailList)]
    [InlineData(PropertyType.PhoneList)]
    [InlineData(PropertyType.ResourceReference)]
    public void RequiredProperty_LeftEmpty_SaysItIsRequired(PropertyType type)
    {
        Assert.Equal("Field is required.", Check(type, "  ", required: true));
        Assert.Equal("Field is required.", Check(type, null, required: true));
        Assert.Null(Check(type, "", required: false));
    }

    [Fact]
    public void String_UpToTheLimit_IsAccepted_OneMoreIsRefused()
    {
        Assert.Null(Check(PropertyType.String, new string('a', PropertyValidator.MaxTextLength)));
        Assert.Equal($"At most {PropertyValidator.MaxTextLength} characters.", Check(PropertyType.String, new string('a', PropertyValidator.MaxTextLength + 1)));
    }

    [Fact]
    public void Secret_KeepsSurroundingSpaces_AndHasItsOwnLimit()
    {
        var spec = new PropertySpec("token", "Token", PropertyType.Secret);
        var values = PropertyValidator.Validate(new IntegrationType("t", "T", "i", IntegrationDirection.Egress, "c", "d", [spec]),
            new Dictionary<string, string?> { ["token"] = " s3cret " });

        Assert.Equal(" s3cret ", values["token"]);
        Assert.Null(Check(PropertyType.Secret, new string('s', PropertyValidator.MaxSecretLength)));
        Assert.Equal($"At most {PropertyValidator.MaxSecretLength} characters.", Check(PropertyType.Secret, new string('s', PropertyValidator.MaxSecretLength + 1)));
    }

    [Theory]
    [InlineData("1", null)]
    [InlineData("65535", null)]
    [InlineData("8883.0", null)]
    [InlineData("0", "Must be between 1 and 65535.")]
    [InlineData("65536", "Must be between 1 and 65535.")]
    [InlineData("-5", "Must be between 1 and 65535.")]
    [InlineData("eighty", "Must be a number.")]
    [InlineData("NaN", "Must be a number.")]
    [InlineData("Infinity", "Must be a number.")]
    [InlineData("1,5", "Must be a number.")]
    public void Number_OutsideTheRangeOrNotANumber_IsRefused(string raw, string? expected)
    {
        Assert.Equal(expected, Check(PropertyType.Number, raw, min: 1, max: 65535));
    }

    [Theory]
    [InlineData("true", null)]
    [InlineData("False", null)]
    [InlineData("yes", "Must be true or false.")]
    [InlineData("1", "Must be true or false.")]
    public void Bool_AcceptsOnlyTrueOrFalse(string raw, string? expected)
    {
        Assert.Equal(expected, Check(PropertyType.Bool, raw));
    }

    [Fact]
    public void Bool_And_Enum_AreStoredInTheirCanonicalForm()
    {
        var values = PropertyValidator.Validate(CatalogService.Get("mqtt"), new Dictionary<string, string?>
        {
            ["host"] = "broker.local", ["topic"] = "t", ["qos"] = "2", ["retain"] = "TRUE", ["port"] = " 8883 ",
        });
        var webhook = PropertyValidator.Validate(Webhook, new Dictionary<string, string?> { ["url"] = "https://x.test/h", ["auth"] = "none" });

        Assert.Equal("true", values["retain"]);
        Assert.Equal("8883", values["port"]);
        Assert.Equal("NONE", webhook["auth"]);
    }

    [Theory]
    [InlineData("BASIC", null)]
    [InlineData("basic", null)]
    [InlineData("OAUTH", "Must be one of NONE, BASIC, DIGEST.")]
    public void Enum_AcceptsOnlyItsOptions_IgnoringCase(string raw, string? expected)
    {
        Assert.Equal(expected, Check(PropertyType.Enum, raw, options: ["NONE", "BASIC", "DIGEST"]));
    }

    [Theory]
    [InlineData("https://hooks.example.com/in", null)]
    [InlineData("http://10.0.0.5:8080/x?y=1", null)]
    [InlineData("/relative/path", "Enter a full http:// or https:// URL.")]
    [InlineData("hooks.example.com/in", "Enter a full http:// or https:// URL.")]
    [InlineData("ftp://files.example.com/", "Enter a full http:// or https:// URL.")]
    [InlineData("file:///etc/passwd", "Enter a full http:// or https:// URL.")]
    [InlineData("javascript:alert(1)", "Enter a full http:// or https:// URL.")]
    public void Url_MustBeAbsoluteHttpOrHttps(string raw, string? expected)
    {
        Assert.Equal(expected, Check(PropertyType.Url, raw));
    }

    [Theory]
    [InlineData("ops@example.com", null)]
    [InlineData("ops@example.com, oncall@example.com;boss@example.com", null)]
    [InlineData("ops@example.com, not-an-email", "'not-an-email' is not a valid email address.")]
    [InlineData("Ops <ops@example.com>", "'Ops <ops@example.com>' is not a valid email address.")]
    [InlineData("ops@localhost", "'ops@localhost' is not a valid email address.")]
    public void EmailList_ChecksEveryEntry(string raw, string? expected)
    {
        Assert.Equal(expected, Check(PropertyType.EmailList, raw));
    }

    [Fact]
    public void EmailFrom_TakesExactlyOneAddress()
    {
        var from = Email.Property("from")!;

        Assert.Null(PropertyValidator.ValidateOne(from, "alerts@acme.test"));
        Assert.Equal("Enter one value.", PropertyValidator.ValidateOne(from, "alerts@acme.test, other@acme.test"));
    }

    [Fact]
    public void Lists_AreStoredCommaSeparated_WithoutDuplicates()
    {
        var values = PropertyValidator.Validate(Email, new Dictionary<string, string?>
        {
            ["smtp_host"] = "smtp.acme.test", ["from"] = "alerts@acme.test",
            ["recipients"] = "a@acme.test;\nb@acme.test, a@acme.test",
        });

        Assert.Equal("a@acme.test,b@acme.test", values["recipients"]);
    }

    [Theory]
    [InlineData("+14155550100", null)]
    [InlineData("+14155550100,+442071838750", null)]
    [InlineData("4155550100", "'4155550100' is not a phone number in E.164 form (+14155550100).")]
    [InlineData("+1 415 555 0100", "'+1 415 555 0100' is not a phone number in E.164 form (+14155550100).")]
    [InlineData("+04155550100", "'+04155550100' is not a phone number in E.164 form (+14155550100).")]
    [InlineData("+1415555010012345", "'+1415555010012345' is not a phone number in E.164 form (+14155550100).")]
    public void PhoneList_AcceptsOnlyE164(string raw, string? expected)
    {
        Assert.Equal(expected, Check(PropertyType.PhoneList, raw));
    }

    [Theory]
    [InlineData("""{"X-Tenant":"acme","X-Env":"prod"}""", null)]
    [InlineData("{}", null)]
    [InlineData("""["a","b"]""", "Must be a JSON object of names to text values.")]
    [InlineData("X-Tenant: acme", "Must be a JSON object of names to text values.")]
    [InlineData("""{"X-Count":5}""", "Must be a JSON object of names to text values.")]
    [InlineData("""{" ":"blank name"}""", "Every entry needs a name.")]
    public void KeyValueMap_MustBeAJsonObjectOfNamedTexts(string raw, string? expected)
    {
        Assert.Equal(expected, Check(PropertyType.KeyValueMap, raw));
    }

    [Theory]
    [InlineData("places/0195d1a2-7c1e-7a00-8000-000000000001", null)]
    [InlineData("places/0195d1a2-7c1e-7a00-8000-000000000001/devices/0195d1a2-7c1e-7a00-8000-000000000002", null)]
    [InlineData("devices/0195d1a2-7c1e-7a00-8000-000000000002", null)]
    [InlineData("places/42", "Pick a place or device.")]
    [InlineData("users/0195d1a2-7c1e-7a00-8000-000000000001", "Pick a place or device.")]
    [InlineData("places/0195d1a2-7c1e-7a00-8000-000000000001/../admin", "Pick a place or device.")]
    public void ResourceReference_MustNameAPlaceOrDevice(string raw, string? expected)
    {
        Assert.Equal(expected, Check(PropertyType.ResourceReference, raw));
    }

    [Fact]
    public void Validate_ReportsEveryBadField_AtOnce()
    {
        var error = Assert.Throws<PortalException>(() => PropertyValidator.Validate(Email, new Dictionary<string, string?>
        {
            ["smtp_port"] = "99999", ["from"] = "a@acme.test,b@acme.test", ["recipients"] = "nobody",
        }));

        Assert.Equal(PortalErrorKind.Validation, error.Kind);
        Assert.Equal(["from", "recipients", "smtp_host", "smtp_port"], error.FieldErrors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["SMTP host is required."], error.FieldErrors["smtp_host"]);
    }

    [Fact]
    public void Validate_UnknownProperty_IsRefusedByName()
    {
        var error = Assert.Throws<PortalException>(() => PropertyValidator.Validate(Webhook, new Dictionary<string, string?>
        {
            ["url"] = "https://x.test/h", ["auth"] = "NONE", ["shell_command"] = "rm -rf /",
        }));

        Assert.Equal(["Webhook has no property 'shell_command'."], error.FieldErrors["shell_command"]);
        Assert.Single(error.FieldErrors);
    }

    [Fact]
    public void Webhook_WithAuthNone_IgnoresUsernameAndPassword()
    {
        var values = PropertyValidator.Validate(Webhook, new Dictionary<string, string?>
        {
            ["url"] = "https://x.test/h", ["auth"] = "NONE", ["username"] = new string('u', 5000), ["password"] = "pw",
        });

        Assert.False(values.ContainsKey("username"));
        Assert.False(values.ContainsKey("password"));
    }

    [Theory]
    [InlineData("BASIC")]
    [InlineData("DIGEST")]
    public void Webhook_WithBasicOrDigest_ValidatesUsernameAndKeepsPassword(string auth)
    {
        var tooLong = Assert.Throws<PortalException>(() => PropertyValidator.Validate(Webhook, new Dictionary<string, string?>
        {
            ["url"] = "https://x.test/h", ["auth"] = auth, ["username"] = new string('u', 5000),
        }));
        var values = PropertyValidator.Validate(Webhook, new Dictionary<string, string?>
        {
            ["url"] = "https://x.test/h", ["auth"] = auth, ["username"] = "hook", ["password"] = "pw",
        });

        Assert.True(tooLong.FieldErrors.ContainsKey("username"));
        Assert.Equal("hook", values["username"]);
        Assert.Equal("pw", values["password"]);
    }

    [Fact]
    public void Webhook_WithAuthTypedInLowerCase_StillKeepsTheCredentials()
    {
        // The auth value is accepted whatever its case, so the fields it reveals must follow it.
        var values = PropertyValidator.Validate(Webhook, new Dictionary<string, string?>
        {
            ["url"] = "https://x.test/h", ["auth"] = "basic", ["username"] = "hook", ["password"] = "pw",
        });

        Assert.Equal("BASIC", values["auth"]);
        Assert.Equal("hook", values["username"]);
        Assert.Equal("pw", values["password"]);
    }

    [Fact]
    public void Mqtt_V5Fields_AreCheckedAndKeptOnlyFor50()
    {
        var mqtt = CatalogService.Get("mqtt");
        var v5 = new Dictionary<string, string?>
        {
            ["host"] = "broker.local", ["topic"] = "t", ["qos"] = "1", ["protocol_version"] = "5.0",
            ["message_expiry_seconds"] = "0", ["user_properties"] = "not json",
        };

        var error = Assert.Throws<PortalException>(() => PropertyValidator.Validate(mqtt, v5));
        var v311 = PropertyValidator.Validate(mqtt, new Dictionary<string, string?>(v5) { ["protocol_version"] = "3.1.1" });
        var fixedV5 = PropertyValidator.Validate(mqtt, new Dictionary<string, string?>(v5)
        {
            ["message_expiry_seconds"] = "60", ["user_properties"] = """{"site":"7"}""",
        });

        Assert.Equal(["message_expiry_seconds", "user_properties"], error.FieldErrors.Keys.Order(StringComparer.Ordinal));
        Assert.False(v311.ContainsKey("user_properties"));
        Assert.False(v311.ContainsKey("message_expiry_seconds"));
        Assert.Equal("60", fixedV5["message_expiry_seconds"]);
        Assert.Equal("""{"site":"7"}""", fixedV5["user_properties"]);
    }

    [Fact]
    public void Mqtt_WithTlsTypedInUpperCase_KeepsTheCaCertificate()
    {
        using var ca = TestCertificates.CreateCa("Broker CA");
        var values = PropertyValidator.Validate(CatalogService.Get("mqtt"), new Dictionary<string, string?>
        {
            ["host"] = "broker.local", ["topic"] = "t", ["qos"] = "1", ["tls"] = "TRUE", ["ca_certificate"] = ca.ExportCertificatePem(),
        });

        Assert.Equal("true", values["tls"]);
        Assert.Equal(ca.ExportCertificatePem(), values["ca_certificate"]);
    }

    [Fact]
    public void Mqtt_ClientCertificateAndItsKey_AreKept_TheKeyAsTyped()
    {
        using var ca = TestCertificates.CreateCa("Broker CA");
        using var client = TestCertificates.IssueClient(ca, "thing");
        var key = TestCertificates.PrivateKeyPem(client) + "\n";

        var values = PropertyValidator.Validate(CatalogService.Get("mqtt"), MqttTls(client.ExportCertificatePem(), key));

        Assert.Equal(key, values["client_key"]);
        Assert.Equal(client.ExportCertificatePem(), values["client_certificate"]);
    }

    [Theory]
    [InlineData("not a key", "client_key", "Not a PEM private key: paste it whole")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "client_key", "Not a PEM private key: paste it whole")]
    [InlineData(null, "client_key", "Client private key (PEM) is required with Client certificate (PEM).")]
    public void Mqtt_ClientCertificateWithoutAUsableKey_IsRefusedAtTheKeyField(string? key, string field, string message)
    {
        using var ca = TestCertificates.CreateCa("Broker CA");
        using var client = TestCertificates.IssueClient(ca, "thing");

        var error = Assert.Throws<PortalException>(() => PropertyValidator.Validate(CatalogService.Get("mqtt"), MqttTls(client.ExportCertificatePem(), key)));

        Assert.StartsWith(message, Assert.Single(error.FieldErrors[field]), StringComparison.Ordinal);
        Assert.Single(error.FieldErrors);
    }

    [Fact]
    public void Mqtt_KeyWithoutItsCertificate_IsRefusedAtTheCertificateField_AndAStoredKeyPassesUnopened()
    {
        using var ca = TestCertificates.CreateCa("Broker CA");
        using var client = TestCertificates.IssueClient(ca, "thing");

        var error = Assert.Throws<PortalException>(() => PropertyValidator.Validate(CatalogService.Get("mqtt"), MqttTls(null, TestCertificates.PrivateKeyPem(client))));
        var kept = PropertyValidator.Validate(CatalogService.Get("mqtt"), MqttTls(client.ExportCertificatePem(), PropertyValidator.StoredSecret));

        Assert.Equal(["Client certificate (PEM) is required with Client private key (PEM)."], error.FieldErrors["client_certificate"]);
        Assert.Equal(PropertyValidator.StoredSecret, kept["client_key"]);
    }

    private static Dictionary<string, string?> MqttTls(string? certificate, string? key) => new()
    {
        ["host"] = "iot.example.com", ["port"] = "8883", ["topic"] = "t", ["qos"] = "1", ["tls"] = "true",
        ["client_certificate"] = certificate, ["client_key"] = key,
    };

    [Theory]
    [InlineData("-----BEGIN CERTIFICATE-----")]
    [InlineData("MIIBkTCCATegAwIBAgIUZ")]
    public void Email_CaCertificateThatIsNotAPemCertificate_IsRefusedAtTheField(string text)
    {
        var error = Assert.Throws<PortalException>(() => PropertyValidator.Validate(CatalogService.Get("email"), new Dictionary<string, string?>
        {
            ["smtp_host"] = "smtp.acme.test", ["starttls"] = "true", ["from"] = "alerts@acme.test", ["recipients"] = "ops@acme.test",
            ["ca_certificate"] = text,
        }));

        Assert.Equal(["Not a PEM certificate: paste it whole, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----."],
            error.FieldErrors["ca_certificate"]);
        Assert.Single(error.FieldErrors);
    }

    [Fact]
    public void Webhook_AuthIsRequired_AndMustBeAKnownMode()
    {
        var error = Assert.Throws<PortalException>(() => PropertyValidator.Validate(Webhook, new Dictionary<string, string?>
        {
            ["url"] = "https://x.test/h", ["auth"] = "",
        }));

        Assert.Equal(["Authentication is required."], error.FieldErrors["auth"]);
    }

    [Theory]
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", null)]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "A signing secret is whsec_ followed by the base64 of 24 to 64 random bytes; leave it empty to have one generated.")]
    [InlineData("whsec_not base64!", "A signing secret is whsec_ followed by the base64 of 24 to 64 random bytes; leave it empty to have one generated.")]
    [InlineData("whsec_c2hvcnQ=", "A signing secret is whsec_ followed by the base64 of 24 to 64 random bytes; leave it empty to have one generated.")]
    public void Webhook_SigningSecret_MustBeStandardWebhooksForm(string raw, string? expected)
    {
        Assert.Equal(expected, PropertyValidator.ValidateOne(Webhook.Property("signing_secret")!, raw));
    }

    [Theory]
    [InlineData("sites/hq/telemetry", null)]
    [InlineData("sites/+/telemetry", "A topic to publish to cannot contain the wildcards + or #.")]
    [InlineData("sites/#", "A topic to publish to cannot contain the wildcards + or #.")]
    [InlineData("$SYS/broker", "Topics starting with $ are the broker's own.")]
    public void Mqtt_PublishTopicAndWillTopic_RefuseWildcards(string raw, string? expected)
    {
        var mqtt = CatalogService.Get("mqtt");

        Assert.Equal(expected, PropertyValidator.ValidateOne(mqtt.Property("topic")!, raw));
        Assert.Equal(expected, PropertyValidator.ValidateOne(mqtt.Property("will_topic")!, raw));
    }

    [Theory]
    [InlineData("BASIC")]
    [InlineData("DIGEST")]
    public void Webhook_BasicOrDigestWithoutUsernameAndPassword_IsRefusedAtBoth(string auth)
    {
        var error = Assert.Throws<PortalException>(() => PropertyValidator.Validate(Webhook, new Dictionary<string, string?>
        {
            ["url"] = "https://x.test/h", ["auth"] = auth,
        }));

        Assert.Equal(["Username is required."], error.FieldErrors["username"]);
        Assert.Equal(["Password is required."], error.FieldErrors["password"]);
    }

    [Fact]
    public void Webhook_PreviousSecretValidUntil_MustBeATime()
    {
        var expires = Webhook.Property("previous_signing_secret_expires")!;

        Assert.Null(PropertyValidator.ValidateOne(expires, "2026-12-01T10:00:00.0000000+00:00"));
        Assert.Equal("Enter a date and time like 2026-12-01T10:00:00Z.", PropertyValidator.ValidateOne(expires, "next tuesday"));
        Assert.True(expires.SetByPortal);
    }
}
