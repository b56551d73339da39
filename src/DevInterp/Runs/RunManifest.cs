using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace DevInterp.Runs;

/// <summary>
/// <c>manifest.json</c> of a run directory: what was trained on what, and the checkpoint files in step order. Written by
/// <c>devinterp train</c>; optional for foreign runs (see docs/run-manifest.md for the schema).
/// </summary>
/// <param name="Name">Run name.</param>
/// <param name="Model">Model spec (the JSON a <c>ModelSpec</c> is read from), or null when unknown.</param>
/// <param name="Task">Task/data spec, or null when unknown.</param>
/// <param name="Training">Free-form training settings (optimizer, learning rate, seed, schedule).</param>
/// <param name="Checkpoints">The checkpoint files, each with its step.</param>
public sealed record RunManifest(
    string Name,
    JsonObject? Model,
    JsonObject? Task,
    JsonObject? Training,
    IReadOnlyList<ManifestCheckpoint> Checkpoints)
{
    /// <summary>The file name a manifest has inside a run directory.</summary>
    public const string FileName = "manifest.json";

    /// <summary>Schema identifier written into every manifest.</summary>
    public string Format { get; init; } = "devinterp-run";

    /// <summary>Schema version.</summary>
    public int Version { get; init; } = 1;

    /// <summary>Optional key path to the state dict inside each checkpoint file (see CheckpointOpenOptions.Key).</summary>
    public string? Key { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        // Explicit resolver: file-based apps (dotnet run app.cs) turn reflection-based serialization off by default.
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private const string Schema = "docs/run-manifest.md";

    /// <summary>Reads and validates a manifest.</summary>
    /// <exception cref="RunFormatException">Not valid JSON, or a required field is missing or wrong.</exception>
    public static RunManifest Load(string path)
    {
        RunManifest? manifest;
        if (Native.FileKinds.WhyNotAFile(path) is { } why) throw new RunFormatException(path, why);
        try
        {
            manifest = JsonSerializer.Deserialize<RunManifest>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new RunFormatException(path, $"not a valid manifest ({Schema}): {e.Message}", e);
        }
        if (manifest is null) throw new RunFormatException(path, $"manifest is empty (null); write one as {Schema}, or delete it to order the files by name");
        if (manifest.Checkpoints is null) throw new RunFormatException(path, $"manifest has no 'checkpoints' list of {{\"step\", \"file\"}} entries ({Schema})");
        for (int i = 0; i < manifest.Checkpoints.Count; i++)
        {
            var c = manifest.Checkpoints[i];
            if (c is null || string.IsNullOrWhiteSpace(c.File))
                throw new RunFormatException(path, $"checkpoints[{i}] has no 'file' (the checkpoint's path relative to the run folder, {Schema})");
            if (c.Step < 0) throw new RunFormatException(path, $"checkpoints[{i}] ({c.File}) has negative step {c.Step}; steps count from 0 (the initialization)");
        }
        return manifest with { Name = manifest.Name ?? Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "run" };
    }

    /// <summary>Writes the manifest atomically (temporary file, then rename).</summary>
    public void Save(string path)
    {
        string temp = path + $".{Environment.ProcessId}.tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json));
        File.Move(temp, path, overwrite: true);
    }
}

/// <summary>One checkpoint of a manifest.</summary>
/// <param name="Step">Training step (optimizer updates before the snapshot; 0 = initialization).</param>
/// <param name="File">Path relative to the run directory (a file, or an HF-style folder).</param>
/// <param name="Metrics">Scalars measured at this step (train_loss, test_loss, accuracy, ...).</param>
public sealed record ManifestCheckpoint(long Step, string File, IReadOnlyDictionary<string, double>? Metrics = null);
