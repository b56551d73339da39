namespace DevInterp.Storage;

/// <summary>How enums are stored: as the snake_case of their member name (<c>Trusted</c> → <c>trusted</c>, <c>RmspropSgld</c> → <c>rmsprop_sgld</c>).</summary>
public static class StoreEnums
{
    /// <summary>The stored text of <paramref name="value"/>.</summary>
    public static string Format<TEnum>(TEnum value) where TEnum : struct, Enum => SnakeCase.From(value.ToString());

    /// <summary>The member whose stored text is <paramref name="text"/>, or null.</summary>
    public static TEnum? TryParse<TEnum>(string text) where TEnum : struct, Enum =>
        Enum.GetValues<TEnum>().Cast<TEnum?>().FirstOrDefault(v => Format(v!.Value) == text);

    /// <summary>Every stored text of <typeparamref name="TEnum"/>, for messages.</summary>
    public static string Allowed<TEnum>() where TEnum : struct, Enum => string.Join(", ", Enum.GetValues<TEnum>().Select(v => Format(v)));
}
