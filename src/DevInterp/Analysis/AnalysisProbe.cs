using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DevInterp.Activations;
using DevInterp.Checkpoints;
using DevInterp.Checkpoints.Safetensors;
using DevInterp.Models;
using DevInterp.Runs;
using DevInterp.Tasks;
using TorchSharp;

namespace DevInterp.Analysis;

/// <summary>
/// The probe batch of a run analysis (the inputs every checkpoint's activations are captured on) and its guard against
/// silent change. The probe is <c>similarity.probe_count</c> rows (at most; fewer when the source has fewer) drawn with
/// <c>similarity.probe_seed</c> from the task's training inputs, or from <c>similarity.probe_file</c> when given (any
/// data format of the file task); or every input of <c>similarity.probe</c> = <c>all-train</c>, <c>all-test</c> or
/// <c>all-inputs</c> (the task's whole finite input space). The probe is checked against the model (kind, width,
/// vocabulary) before any activation is captured. It is
/// saved once as <c>cache/probe.safetensors</c> together with everything the cached activations depend on (probe
/// settings, task, model, name map, dtype); a later run rebuilds it and compares, and any difference is an error that
/// names the setting, because cached activations of another probe or model would be mixed in silently.
/// </summary>
public static class AnalysisProbe
{
    private const string TensorName = "inputs";
    private const string HashKey = "inputs_sha256";

    /// <summary>Builds the probe batch the config describes, and checks that it fits the model.</summary>
    /// <exception cref="ArgumentException">The probe count is below 1, or the probe source is unknown.</exception>
    /// <exception cref="TaskFitException">The probe inputs do not fit the model, or the task has no such inputs.</exception>
    public static ProbeBatch Build(AnalysisConfig config, Run run)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(run);
        var settings = config.Similarity;
        if (settings.ProbeCount < 1)
            throw new ArgumentException($"similarity.probe_count: expected at least 1, got {settings.ProbeCount}");
        var model = ModelSpec.Parse(config.Model);
        var (inputs, source) = Inputs(config, run, model);
        using (inputs)
        {
            TaskModelFit.CheckInputs(inputs, model, source, "the probe inputs");
            bool all = settings.ProbeFile is null && settings.Probe is "all-train" or "all-test" or "all-inputs";
            return all || inputs.shape[0] <= settings.ProbeCount ? ProbeBatch.From(inputs) : ProbeBatch.Sample(inputs, settings.ProbeCount, settings.ProbeSeed);
        }
    }

    /// <summary>The rows the probe is drawn from, and where they came from (for messages).</summary>
    private static (torch.Tensor Inputs, string Source) Inputs(AnalysisConfig config, Run run, ModelSpec model)
    {
        var settings = config.Similarity;
        if (settings.ProbeFile is { } file)
        {
            // safetensors keeps its own dtypes (the original probe-file format); every other data format is read as
            // numbers and given the kind the model takes.
            if (Path.GetExtension(file).Equals(".safetensors", StringComparison.OrdinalIgnoreCase))
            {
                using var saved = ProbeBatch.FromFile(file, settings.ProbeTensor);
                return (saved.Inputs.clone(), file);
            }
            return (DataFileInputs.Read(file, settings.ProbeTensor, model.TokenVocabulary is not null, config.ScalarType), file);
        }
        var task = config.TaskSpec(run.Directory);
        string probe = settings.Probe ?? "train";
        TaskData? data = probe switch
        {
            "train" or "all-train" => task.LoadTraining(config.ScalarType),
            "all-test" => task.LoadTest(config.ScalarType) ?? throw new TaskFitException("task",
                $"--probe all-test: the {task.Type} task has no test split{(task is FileTaskSpec ? " (give \"test\" or \"train_fraction\")" : "")}; use all-train"),
            "all-inputs" => task.LoadAll(config.ScalarType) ?? throw new TaskFitException("task",
                $"--probe all-inputs: the {task.Type} task draws its inputs from a distribution, so it has no finite list of inputs; use all-train (or a probe file)"),
            _ => throw new ArgumentException($"similarity.probe '{probe}' is not one of {string.Join(", ", SimilaritySettings.ProbeSources)} (or give a probe file)"),
        };
        using (data)
        {
            return (data.Inputs.clone(), data.InputsSource ?? "task");
        }
    }

    /// <summary>SHA-256 (hex) of the probe's dtype, shape and values.</summary>
    public static string Hash(ProbeBatch probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{probe.Inputs.dtype}[{string.Join(",", probe.Inputs.shape)}]"));
        hash.AppendData(probe.Inputs.bytes); // contiguous: ProbeBatch keeps a contiguous copy
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Builds the probe, then saves it with its identity to <c>cache/probe.safetensors</c> when absent, or checks it
    /// against the saved one. Returns the probe; <paramref name="sha256"/> is its hash (recorded in every activation file).
    /// </summary>
    /// <exception cref="RunFormatException">The saved probe was made with other settings, task, model, name map or dtype
    /// (the message names which), or its file is unreadable.</exception>
    public static ProbeBatch Prepare(string folder, AnalysisConfig config, Run run, out string sha256)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var probe = Build(config, run);
        try
        {
            sha256 = Hash(probe);
            var identity = Identity(config, sha256, probe.Count);
            string path = AnalysisPaths.Probe(folder);
            if (File.Exists(path)) Check(path, identity);
            else SafetensorsWriter.Write(path, [new KeyValuePair<string, torch.Tensor>(TensorName, probe.Inputs)], identity);
            return probe;
        }
        catch
        {
            probe.Dispose();
            throw;
        }
    }

    private static Dictionary<string, string> Identity(AnalysisConfig config, string sha256, long rows)
    {
        var s = config.Similarity;
        return new Dictionary<string, string>
        {
            ["format"] = "devinterp-probe",
            ["version"] = "1",
            ["similarity.probe_count"] = s.ProbeCount.ToString(CultureInfo.InvariantCulture),
            ["similarity.probe_seed"] = s.ProbeSeed.ToString(CultureInfo.InvariantCulture),
            ["similarity.probe_file"] = s.ProbeFile ?? "",
            ["similarity.probe_tensor"] = s.ProbeTensor ?? "",
            ["similarity.probe"] = s.Probe ?? "train",
            ["task"] = config.Task.ToJsonString(),
            ["model"] = config.Model.ToJsonString(),
            ["name_map"] = config.NameMap?.ToJsonString() ?? "",
            ["dtype"] = config.DType,
            ["rows"] = rows.ToString(CultureInfo.InvariantCulture),
            [HashKey] = sha256,
        };
    }

    // Settings that change the probe's rows, in the order a mismatch is reported; then those that change activations.
    private static readonly string[] ProbeSettings = ["similarity.probe", "similarity.probe_count", "similarity.probe_seed", "similarity.probe_file", "similarity.probe_tensor", "task"];
    private static readonly string[] ModelSettings = ["model", "name_map", "dtype"];

    private static void Check(string path, IReadOnlyDictionary<string, string> current)
    {
        Dictionary<string, string> saved;
        try
        {
            using var reader = CheckpointFile.Open(path);
            saved = reader.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value.ToString() ?? "");
        }
        catch (CheckpointFormatException e)
        {
            throw new RunFormatException(path, $"the saved probe batch cannot be read ({e.Reason}); delete the cache folder to start the analysis afresh", e);
        }
        const string advice = "use a new --out folder, or delete its cache/ and parts/ folders to recompute everything";
        if (saved.GetValueOrDefault(HashKey) != current[HashKey])
        {
            string? changed = ProbeSettings.FirstOrDefault(k => !Same(k, saved.GetValueOrDefault(k), current[k]));
            throw new RunFormatException(path, changed is null
                ? $"the probe inputs differ from the ones the cached activations were captured on, with the same settings (the task's data or the probe file changed); {advice}"
                : $"{changed} changed since the cached activations were captured ({Show(saved.GetValueOrDefault(changed))} → {Show(current[changed])}), so the probe batch differs; {advice}");
        }
        string? model = ModelSettings.FirstOrDefault(k => !Same(k, saved.GetValueOrDefault(k), current[k]));
        if (model is not null)
            throw new RunFormatException(path,
                $"{model} changed since the cached activations were captured ({Show(saved.GetValueOrDefault(model))} → {Show(current[model])}); {advice}");
    }

    private static bool Same(string key, string? saved, string current)
    {
        if (saved is null && key == "similarity.probe") saved = "train"; // probes saved before the setting existed
        if (saved is null) return false;
        if (key is "task" or "model" or "name_map")
        {
            if (saved.Length == 0 || current.Length == 0) return saved.Length == current.Length;
            return JsonNode.DeepEquals(JsonNode.Parse(saved), JsonNode.Parse(current));
        }
        return saved == current;
    }

    private static string Show(string? value) => value is null ? "absent" : value.Length == 0 ? "none" : value.Length > 60 ? value[..57] + "..." : value;
}
