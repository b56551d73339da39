namespace DevInterp.Init;

/// <summary>A proposed model spec and name map for a checkpoint, with what could not be inferred.</summary>
internal sealed class ModelGuess
{
    /// <summary>The spec (model.json).</summary>
    public required CommentedJson Spec { get; init; }

    /// <summary>A name map to write (names.json), or null when the names already match or a built-in map is used.</summary>
    public CommentedJson? NameMap { get; set; }

    /// <summary>The built-in name map to pass by name (transformerlens, hf-gpt2), or null.</summary>
    public string? BuiltInMap { get; init; }

    /// <summary>What the model is, in words ("an MLP 14 → 16 → 7 with biases").</summary>
    public required string Description { get; init; }

    /// <summary>Number of outputs (classes for a classifier, logits for a transformer).</summary>
    public required long OutputSize { get; init; }

    /// <summary>Width of float inputs, or null for a token model.</summary>
    public long? InputWidth { get; init; }

    /// <summary>Vocabulary of a token model, or null.</summary>
    public long? Vocab { get; init; }

    /// <summary>Tokens per input when the model fixes it (an MLP concatenating k embeddings), or the context of a transformer.</summary>
    public long? SequenceLength { get; init; }

    /// <summary>True for a transformer (a sequence model: the loss reads the last position).</summary>
    public bool IsTransformer { get; init; }

    /// <summary>Fields left to choose.</summary>
    public List<SetupChoice> Choices { get; } = [];

    /// <summary>Things to know (tensors left out, features not supported).</summary>
    public List<string> Notes { get; } = [];
}
