using System.Text.Json.Nodes;
using DevInterp.Checkpoints;
using DevInterp.Runs;

namespace DevInterp.Init;

/// <summary>How <see cref="RunSetup.Propose"/> reads the run.</summary>
/// <param name="Key">Dotted key path to the state dict inside each checkpoint (null: found automatically).</param>
public sealed record RunSetupOptions(string? Key = null);

/// <summary>
/// What <c>devinterp init</c> proposes for a run DevInterp did not train: a model spec and a name map from one
/// checkpoint's tensor names and shapes, and a task from the data files beside the checkpoints, each as a JSON file
/// with comments saying where every value came from and what to check; fields that cannot be inferred are
/// <see cref="SetupChoice"/>s. The run is opened with <see cref="Run.Open"/> (the same discovery every command uses).
/// </summary>
public sealed class RunSetup
{
    /// <summary>The model spec file name.</summary>
    public const string ModelFile = "model.json";

    /// <summary>The task spec file name.</summary>
    public const string TaskFile = "task.json";

    /// <summary>The name map file name.</summary>
    public const string NameMapFile = "names.json";

    private static readonly string[] CheckpointFolderNames = ["checkpoints", "checkpoint", "ckpt", "ckpts", "saved_models", "models", "weights"];
    private static readonly string[] DataFolderNames = ["data", "dataset", "datasets"];

    private RunSetup(string runPath, Run run, RunCheckpoint checkpoint, string folder, ModelGuess model, TaskGuess task,
        IReadOnlyList<string> dataFiles, string? key)
    {
        RunPath = runPath;
        Run = run;
        Checkpoint = checkpoint;
        Folder = folder;
        ModelGuess = model;
        TaskGuess = task;
        DataFiles = dataFiles;
        Key = key;
    }

    private ModelGuess ModelGuess { get; }

    private TaskGuess TaskGuess { get; }

    /// <summary>The run path as given.</summary>
    public string RunPath { get; }

    /// <summary>The run as <see cref="Runs.Run.Open"/> found it.</summary>
    public Run Run { get; }

    /// <summary>The checkpoint whose tensors were read (the last one).</summary>
    public RunCheckpoint Checkpoint { get; }

    /// <summary>The folder the files are written to (task data paths are relative to it).</summary>
    public string Folder { get; }

    /// <summary>The state-dict key given, or null.</summary>
    public string? Key { get; }

    /// <summary>The model in words.</summary>
    public string ModelDescription => ModelGuess.Description;

    /// <summary>The task in words.</summary>
    public string TaskDescription => TaskGuess.Description;

    /// <summary>The proposed model spec.</summary>
    public CommentedJson Model => ModelGuess.Spec;

    /// <summary>The proposed name map, or null when none is needed or a built-in one is used.</summary>
    public CommentedJson? NameMap => ModelGuess.NameMap;

    /// <summary>The built-in name map to use (transformerlens, hf-gpt2), or null.</summary>
    public string? BuiltInNameMap => ModelGuess.BuiltInMap;

    /// <summary>The proposed task spec.</summary>
    public CommentedJson Task => TaskGuess.Task;

    /// <summary>The data files looked at.</summary>
    public IReadOnlyList<string> DataFiles { get; }

    /// <summary>Fields left to fill in (written as "CHOOSE: ..." placeholders).</summary>
    public IReadOnlyList<SetupChoice> Choices => [.. ModelGuess.Choices, .. TaskGuess.Choices];

    /// <summary>Things to know: tensors ignored, data files not used, unsupported features, entries the run skipped (other than the data files).</summary>
    public IReadOnlyList<string> Notes =>
        [.. ModelGuess.Notes, .. TaskGuess.Notes, .. Run.Skipped.Where(s => !DataFiles.Contains(Path.GetFullPath(s.Path)))
            .Select(s => $"not a checkpoint: {Path.GetFileName(s.Path.TrimEnd('/'))} ({s.Reason})")];

    /// <summary>
    /// A name for the run: its folder's name, or for a checkpoints/-style folder the name of the folder above it
    /// (used for the default output folders devinterp/NAME and analyses/NAME).
    /// </summary>
    public static string NameOf(string runPath)
    {
        ArgumentNullException.ThrowIfNull(runPath);
        string full = Path.GetFullPath(runPath).TrimEnd('/', '\\');
        string name = Path.GetFileName(full);
        return CheckpointFolderNames.Contains(name.ToLowerInvariant()) && Path.GetDirectoryName(full) is { } parent && Path.GetFileName(parent).Length > 0
            ? Path.GetFileName(parent) : name;
    }

    /// <summary>Opens the run, reads its last checkpoint and its data files, and proposes the setup.</summary>
    /// <param name="runPath">The run folder (or the folder above a checkpoints/ subfolder, as run discovery allows).</param>
    /// <param name="folder">Where the files will be written (the task's data paths are made relative to it).</param>
    /// <param name="options">How to read the checkpoints.</param>
    /// <exception cref="RunFormatException">No run there, or the checkpoint is not a model <c>init</c> can describe.</exception>
    /// <exception cref="CheckpointFormatException">The checkpoint cannot be read.</exception>
    public static RunSetup Propose(string runPath, string folder, RunSetupOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(runPath);
        ArgumentNullException.ThrowIfNull(folder);
        options ??= new RunSetupOptions();
        var run = Run.Open(runPath, new RunOpenOptions(options.Key));
        var checkpoint = run.Checkpoints[^1];
        IReadOnlyList<TensorInfo> tensors;
        IReadOnlyDictionary<string, MetadataValue> metadata;
        using (var reader = checkpoint.Open())
        {
            tensors = reader.Tensors;
            metadata = reader.Metadata;
        }
        var folders = SearchFolders(runPath, run, checkpoint);
        var checkpoints = run.Checkpoints.Select(c => Path.GetFullPath(c.Path)).ToHashSet(StringComparer.Ordinal);
        var files = folders.SelectMany(f => Directory.EnumerateFiles(f).Order(StringComparer.Ordinal))
            .Select(Path.GetFullPath).Where(f => !checkpoints.Contains(f)).Distinct().ToList();
        var hfConfig = folders.Prepend(Directory.Exists(checkpoint.Path) ? checkpoint.Path : Path.GetDirectoryName(checkpoint.Path)!)
            .Select(f => Path.Combine(f, "config.json")).FirstOrDefault(File.Exists) is { } configPath ? ReadConfig(configPath) : null;
        var names = new[] { Path.GetFileName(Path.GetFullPath(runPath).TrimEnd('/')), Path.GetFileName(run.Directory), Path.GetFileName(Path.GetDirectoryName(run.Directory) ?? "") }
            .Concat(files.Select(Path.GetFileName)).OfType<string>();
        var hints = new SetupHints(metadata, names, hfConfig);
        var model = ModelGuesser.Guess(tensors, hints);
        string full = Path.GetFullPath(folder);
        var task = TaskGuesser.Guess(files, model, hints, full);
        return new RunSetup(runPath, run, checkpoint, full, model, task, files, options.Key);
    }

    /// <summary>
    /// Where data files may be: the run folder, the folder given (when discovery went into a subfolder), the folder
    /// above a checkpoints/-style folder, and a data/ folder in any of these.
    /// </summary>
    private static List<string> SearchFolders(string runPath, Run run, RunCheckpoint checkpoint)
    {
        var folders = new List<string> { run.Directory, Path.GetFullPath(runPath) };
        string? parent = Path.GetDirectoryName(run.Directory.TrimEnd('/'));
        if (parent is not null && CheckpointFolderNames.Contains(Path.GetFileName(run.Directory.TrimEnd('/')).ToLowerInvariant())) folders.Add(parent);
        if (Directory.Exists(checkpoint.Path)) folders.Add(checkpoint.Path);
        foreach (string f in folders.ToList())
            foreach (string d in DataFolderNames)
                if (Directory.Exists(Path.Combine(f, d))) folders.Add(Path.Combine(f, d));
        return folders.Select(f => Path.GetFullPath(f).TrimEnd('/')).Distinct().ToList();
    }

    private static JsonObject? ReadConfig(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or IOException)
        {
            return null;
        }
    }

    /// <summary>Writes model.json, task.json and (when needed) names.json into <see cref="Folder"/>; returns the paths.</summary>
    /// <exception cref="IOException">A file exists and <paramref name="overwrite"/> is false (the message names it and the fix).</exception>
    public IReadOnlyList<string> Write(bool overwrite = false)
    {
        var files = new List<(string Name, CommentedJson Json)> { (ModelFile, Model), (TaskFile, Task) };
        if (NameMap is not null) files.Add((NameMapFile, NameMap));
        Directory.CreateDirectory(Folder);
        var paths = files.Select(f => Path.Combine(Folder, f.Name)).ToList();
        if (!overwrite && paths.FirstOrDefault(File.Exists) is { } existing)
            throw new IOException($"{existing}: exists (from an earlier init?); pass --force to overwrite it, or --out another folder");
        for (int i = 0; i < files.Count; i++) Storage.AtomicFile.WriteAllText(paths[i], files[i].Json.Render());
        return paths;
    }

    /// <summary>The <c>devinterp analyze</c> command line that uses the written files, with paths as given (relative stays relative).</summary>
    /// <param name="folderAsGiven">The output folder as the user wrote it.</param>
    /// <param name="analysis">The analysis folder to write into.</param>
    public string AnalyzeCommand(string folderAsGiven, string analysis)
    {
        static string Q(string s) => s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or ':' or '+') ? s : $"'{s.Replace("'", "'\\''")}'";
        string F(string name) => Q(Path.Combine(folderAsGiven, name).Replace('\\', '/'));
        var parts = new List<string> { "devinterp", "analyze", Q(RunPath), "--model", F(ModelFile), "--task", F(TaskFile) };
        if (NameMap is not null) parts.AddRange(["--name-map", F(NameMapFile)]);
        else if (BuiltInNameMap is not null) parts.AddRange(["--name-map", BuiltInNameMap]);
        if (Key is not null) parts.AddRange(["--key", Q(Key)]);
        parts.AddRange(["--out", Q(analysis)]);
        return string.Join(' ', parts);
    }
}
