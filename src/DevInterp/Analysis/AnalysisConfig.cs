using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DevInterp.Runs;

namespace DevInterp.Analysis;

/// <summary>
/// Everything that determines an analysis's results, written to <c>analyses/NAME/analysis.json</c>: the run and its
/// checkpoint files with hashes, the model spec and name map, the task, every setting and seed, and the versions of
/// DevInterp and TorchSharp, and the SHA-256 of a file task's data files. Rerunning with the file reproduces the numbers
/// (docs/analysis-store.md, "Run analyses"; docs/cli.md, <c>analyze</c>).
/// </summary>
/// <param name="Name">Analysis name (the folder name under analyses/).</param>
/// <param name="Run">The run analysed.</param>
/// <param name="Model">Model spec JSON (docs/models.md).</param>
/// <param name="NameMap">Name map JSON for foreign checkpoints, or null.</param>
/// <param name="Task">Task spec JSON (docs/tasks.md); relative data paths resolve against the run directory.</param>
/// <param name="DType">float32 or float64 for all computations.</param>
/// <param name="Llc">LLC settings.</param>
/// <param name="Similarity">Similarity settings.</param>
/// <param name="Dynamics">Essential-dynamics settings.</param>
/// <param name="Stages">Stage settings.</param>
public sealed partial record AnalysisConfig(
    string Name,
    RunSource Run,
    JsonObject Model,
    JsonObject? NameMap,
    JsonObject Task,
    string DType,
    LlcSettings Llc,
    SimilaritySettings Similarity,
    DynamicsSettings Dynamics,
    StageSettings Stages)
{
    /// <summary>The file name inside an analysis folder.</summary>
    public const string FileName = "analysis.json";

    /// <summary>Schema identifier.</summary>
    public string Format { get; init; } = "devinterp-analysis";

    /// <summary>
    /// Folder that relative data paths in <see cref="Task"/> resolve against (the task file's folder when the task came
    /// from a file); null for the run directory.
    /// </summary>
    public string? TaskBase { get; init; }

    /// <summary>The task spec, with relative data paths resolved.</summary>
    public Tasks.TaskSpec TaskSpec(string runDirectory) => Tasks.TaskSpec.Parse(Task, TaskBase ?? runDirectory);

    /// <summary>Schema version.</summary>
    public int Version { get; init; } = 1;

    /// <summary>
    /// The data files of a <c>file</c> task with their SHA-256, as they were when the analysis began; null for built-in
    /// tasks (their data come from the task spec's seed) and for analysis.json files written before this was recorded.
    /// </summary>
    public IReadOnlyList<DataFileSource>? DataFiles { get; init; }

    /// <summary>Versions of the software that produced the results.</summary>
    public SoftwareVersions Software { get; init; } = SoftwareVersions.Current;

    /// <summary>JSON conventions of analysis.json: snake_case, indented, comments allowed on read.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        // Explicit resolver: file-based apps (dotnet run app.cs) turn reflection-based serialization off by default.
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Reads analysis.json.</summary>
    /// <exception cref="RunFormatException">Not valid JSON or missing required parts; the message names the file.</exception>
    public static AnalysisConfig Load(string path)
    {
        AnalysisConfig? config;
        if (Native.FileKinds.WhyNotAFile(path) is { } why) throw new RunFormatException(path, why);
        try
        {
            config = JsonSerializer.Deserialize<AnalysisConfig>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new RunFormatException(path, $"not a valid analysis.json (docs/config.md): {e.Message}", e);
        }
        if (config is null) throw new RunFormatException(path, "empty analysis config");
        if (config.Run is null || string.IsNullOrWhiteSpace(config.Run.Path) || config.Run.Checkpoints is null)
            throw new RunFormatException(path, "'run' with its 'path' and 'checkpoints' is required in an analysis folder's analysis.json (a config file for --config needs neither, docs/config.md)");
        if (config.Model is null) throw new RunFormatException(path, "'model' is required (a model spec, docs/models.md)");
        if (config.Task is null) throw new RunFormatException(path, "'task' is required (a task spec, docs/tasks.md)");
        return config with
        {
            Llc = config.Llc ?? new LlcSettings(),
            Similarity = config.Similarity ?? new SimilaritySettings(),
            Dynamics = config.Dynamics ?? new DynamicsSettings(),
            Stages = config.Stages ?? new StageSettings(),
            DType = config.DType ?? "float32",
        };
    }

    /// <summary>The JSON text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The computation dtype.</summary>
    [JsonIgnore]
    public TorchSharp.torch.ScalarType ScalarType => DType == "float64" ? TorchSharp.torch.ScalarType.Float64 : TorchSharp.torch.ScalarType.Float32;
}

/// <summary>The run an analysis reads: its directory, state-dict key, and the checkpoints it had, with hashes.</summary>
/// <param name="Path">The run directory (as given; resolved against the current directory).</param>
/// <param name="Key">Key path of the state dict inside each file, or null.</param>
/// <param name="Checkpoints">Each checkpoint's step, file (relative to the run) and SHA-256.</param>
public sealed record RunSource(string Path, string? Key, IReadOnlyList<CheckpointSource> Checkpoints)
{
    /// <summary>
    /// What the run's checkpoint positions count: <c>step</c> (optimizer steps) or <c>epoch</c> (<see cref="StepUnit"/>);
    /// null in analysis.json files written before it was recorded (readers then go by the checkpoint file names).
    /// </summary>
    public string? Unit { get; init; }

    /// <summary>
    /// Describes a run as it is now, hashing every checkpoint file. A checkpoint that cannot be read (permission denied,
    /// an I/O error, not a regular file) is recorded with <see cref="CheckpointSource.Unreadable"/> instead of a hash: it
    /// fails on its own when the analysis reaches it, and the rest of the run is analysed.
    /// </summary>
    public static RunSource Of(Run run, string path, string? key) => new(path, key,
        run.Checkpoints.Select(c => new CheckpointSource(c.Step, System.IO.Path.GetRelativePath(run.Directory, c.Path), HashOrUnreadable(c.Path))).ToList())
    {
        Unit = run.Unit == StepUnit.Epoch ? "epoch" : "step",
    };

    /// <summary>SHA-256 (hex) of a file (a checkpoint, a data file), or of the weights file of an HF-style folder.</summary>
    /// <exception cref="DevInterp.Checkpoints.CheckpointFormatException">Not a regular file (a FIFO or device is never read).</exception>
    public static string Hash(string path)
    {
        string file = Directory.Exists(path) ? DevInterp.Checkpoints.CheckpointFile.ResolveFolder(path) : path;
        if (Native.FileKinds.WhyNotAFile(file) is { } why) throw new DevInterp.Checkpoints.CheckpointFormatException(file, why);
        DevInterp.Checkpoints.FileOpenFaults.ThrowIfInjected(file);
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string HashOrUnreadable(string path)
    {
        try
        {
            return Hash(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DevInterp.Checkpoints.CheckpointFormatException)
        {
            return CheckpointSource.Unreadable;
        }
    }
}

/// <summary>A data file of a <c>file</c> task: its path as the task spec gives it, and the SHA-256 of its bytes.</summary>
/// <param name="File">The path as written in the task spec (relative paths resolve against the task's folder).</param>
/// <param name="Sha256">Hash of the file's bytes.</param>
public sealed record DataFileSource(string File, string Sha256)
{
    /// <summary>The data files of <paramref name="config"/>'s task (<see cref="Tasks.TaskSpec.DataFiles"/>), hashed now; null when the task reads no files.</summary>
    public static IReadOnlyList<DataFileSource>? Of(AnalysisConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var task = config.TaskSpec(System.IO.Path.GetFullPath(config.Run.Path));
        if (task.DataFiles.Count == 0) return null;
        return task.DataFiles.Select(f => new DataFileSource(f.Path, RunSource.Hash(f.Resolve(task.DataBaseDirectory)))).ToList();
    }
}

/// <summary>One checkpoint of a <see cref="RunSource"/>.</summary>
/// <param name="Step">Step.</param>
/// <param name="File">Path relative to the run directory.</param>
/// <param name="Sha256">Hash of the file's bytes.</param>
public sealed record CheckpointSource(long Step, string File, string Sha256)
{
    /// <summary>The <see cref="Sha256"/> of a checkpoint that could not be read when the analysis began.</summary>
    public const string Unreadable = "unreadable";
}

/// <summary>Versions of DevInterp and TorchSharp.</summary>
/// <param name="DevInterp">DevInterp's informational version (with the commit).</param>
/// <param name="TorchSharp">TorchSharp's assembly version.</param>
/// <param name="Runtime">The .NET runtime.</param>
public sealed record SoftwareVersions(string DevInterp, string TorchSharp, string Runtime)
{
    /// <summary>The versions of this process.</summary>
    public static SoftwareVersions Current { get; } = new(
        typeof(AnalysisConfig).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
        typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown",
        System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
}
