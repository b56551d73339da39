using System.Security.Cryptography;
using System.Text;
using DevInterp.Storage;

namespace DevInterp.Analysis;

/// <summary>
/// Part keys of the <c>similarity</c> table, one part per layer and measure (the whole step × step matrix):
/// <c>MEASURE.LAYER</c> when that is a valid key without '-' (<c>linear_cka.h.0.attn</c>); otherwise the same with every
/// character other than letters, digits, '.' and '_' replaced by '_', cut to fit, then <c>-h</c> and the first 10 hex
/// digits of the layer name's SHA-256. Plain keys hold no '-' and hashed keys exactly one, so distinct layer names
/// (free text, any Unicode) never share a key.
/// </summary>
public static class SimilarityPartKey
{
    private const int MaxLength = 80;

    /// <summary>The part key of <paramref name="layer"/> under <paramref name="measure"/>.</summary>
    public static string For(string layer, string measure)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(measure);
        string plain = $"{measure}.{layer}";
        if (PartKey.IsValid(plain) && !plain.Contains('-')) return plain;
        var safe = new StringBuilder(plain.Length);
        foreach (char c in plain) safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' ? c : '_');
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(layer)))[..10];
        string stem = safe.ToString();
        int room = MaxLength - hash.Length - 2;
        if (stem.Length > room) stem = stem[..room];
        return $"{stem}-h{hash}";
    }
}
