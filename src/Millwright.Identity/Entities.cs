using Microsoft.AspNetCore.Identity;

namespace Millwright.Identity;

/// <summary>A person or machine that signs in. Disabled users are locked out for good and hold no working token.</summary>
internal sealed class MillwrightUser : IdentityUser<long>
{
    /// <summary>The mechanics row a MECHANIC user works as; they may record work only as that mechanic.</summary>
    public long? MechanicId { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? DisabledAt { get; set; }
}

/// <summary>A named bearer token: only the SHA-256 of the secret is kept; its roles are a subset of its user's.</summary>
internal sealed class ApiToken
{
    public long Id { get; set; }

    public long UserId { get; set; }

    public string Name { get; set; } = "";

    /// <summary>Hex SHA-256 of the whole token text (the secret has 256 random bits, so no salt or stretching is needed).</summary>
    public string Hash { get; set; } = "";

    /// <summary>The first characters of the token, to recognise it in a list.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Comma-separated role names (the token's scope).</summary>
    public string Roles { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public DateTime? ExpiresAt { get; set; }

    public DateTime? RevokedAt { get; set; }

    public DateTime? LastUsedAt { get; set; }
}
