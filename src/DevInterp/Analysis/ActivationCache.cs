using System.Globalization;
using System.Text.Json;
using DevInterp.Activations;
using DevInterp.Checkpoints;
using DevInterp.Checkpoints.Safetensors;
using DevInterp.Models;
using DevInterp.Runs;
using DevInterp.Storage;
using TorchSharp;
using static TorchSharp.torch;

namespace DevInterp.Analysis;

/// <summary>
/// The per-checkpoint activation cache of a run analysis, which makes similarity and essential dynamics resumable:
/// each checkpoint's captured layers (the similarity settings' selection) and the model's outputs on the probe batch
/// are written to <c>cache/activations/step-NNNNNNNNNNNN.safetensors</c> (atomically: temporary file, then rename), so
/// a killed or cancelled process resumes by skipping the checkpoints already cached. Values are stored raw (not
/// centered) in the analysis dtype, which is the model's own dtype, so nothing is lost: a float32 model's activations
/// are float32 numbers. Each file records the checkpoint's SHA-256, the probe's hash, the dtype and the hooked layers;
/// a file that does not match the current analysis is captured again. Checkpoints that cannot be read or loaded, or
/// whose activations are not finite, are recorded as failed in the <c>checkpoints</c> table (<see cref="CheckpointRowFactory"/>)
/// and the rest go on. Size: Σ over layers of rows × features values per checkpoint (plus rows × outputs).
/// </summary>
public static class ActivationCache
{
    /// <summary>The tensor holding the model's outputs [rows, outputs].</summary>
    public const string OutputTensor = "output";

    private const string LayerPrefix = "layer:";

    /// <summary>The tensor holding a layer's activations [rows, features].</summary>
    public static string LayerTensor(string layer) => LayerPrefix + layer;

    /// <summary>
    /// Makes sure every checkpoint of <paramref name="run"/> has a current activation file in <paramref name="store"/>'s
    /// folder, capturing those that do not (one model in memory, each checkpoint's weights loaded into it in turn), and
    /// records each checkpoint in the <c>checkpoints</c> table (<see cref="CheckpointRowFactory"/>). A checkpoint that
    /// cannot be opened, loaded into the model or gives non-finite activations is recorded as failed and the rest go on.
    /// Stops between checkpoints when cancelled (what was cached stays). Progress: one unit per checkpoint.
    /// </summary>
    /// <exception cref="RunFormatException">The probe or model changed since the cache was made, or a checkpoint's
    /// file no longer has the SHA-256 analysis.json records.</exception>
    /// <exception cref="CheckpointFormatException">No checkpoint could be used at all.</exception>
    public static ActivationCacheResult Fill(AnalysisConfig config, Run run, AnalysisStore store,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(store);
        string folder = store.Folder;
        Directory.CreateDirectory(AnalysisPaths.ActivationFolder(folder));
        AtomicFile.CleanStaleTempFiles(AnalysisPaths.ActivationFolder(folder));
        var spec = ModelSpec.Parse(config.Model);
        var load = new StateDictLoadOptions(Strict: true, Map: config.NameMap is null ? null : NameMap.Parse(config.NameMap));
        using var probe = AnalysisProbe.Prepare(folder, config, run, out string probeHash);
        var selection = config.Similarity.Layers is { } text ? LayerSelection.Parse(text) : LayerSelection.Default(spec);
        using var model = spec.Build(0, config.ScalarType);
        using var recorder = new ActivationRecorder(model, selection);
        var hooked = recorder.Layers;
        var recorded = config.Run.Checkpoints.ToDictionary(c => c.Step);

        var checkpoints = run.Checkpoints.OrderBy(c => c.Step).ToList();
        var steps = new List<long>();
        var failed = new List<(long Step, string Error)>();
        int captured = 0, reused = 0;
        for (int i = 0; i < checkpoints.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            var checkpoint = checkpoints[i];
            progress?.Report(new AnalysisProgress(i, checkpoints.Count, checkpoint.Step, "capturing activations"));
            if (!recorded.TryGetValue(checkpoint.Step, out var entry))
                throw new RunFormatException(AnalysisPaths.Config(folder),
                    $"the run has a checkpoint at step {checkpoint.Step} that analysis.json does not list (the run changed since the analysis began); use a new --out folder");
            string key = PartKey.ForStep(checkpoint.Step);
            string file = Path.GetRelativePath(run.Directory, checkpoint.Path);
            string path = AnalysisPaths.Activations(folder, checkpoint.Step);
            bool current = IsCurrent(path, entry, probeHash, config.DType, hooked);
            if (current && store.HasPart<CheckpointRow>(key))
            {
                reused++;
                steps.Add(checkpoint.Step);
                continue;
            }
            ICheckpointReader reader;
            try
            {
                reader = checkpoint.Open();
            }
            catch (Exception e) when (CheckpointRowFactory.IsCheckpointFailure(e))
            {
                store.Write(key, [CheckpointRowFactory.Failed(checkpoint, file, e.Message)]);
                failed.Add((checkpoint.Step, CheckpointRowFactory.OneLine(e.Message)));
                continue;
            }
            using (reader)
            {
                CheckpointRow row;
                try
                {
                    row = CheckpointRowFactory.Ok(checkpoint, file, reader); // hashes the file: an I/O error fails this checkpoint only
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    store.Write(key, [CheckpointRowFactory.Failed(checkpoint, file, e.Message)]);
                    failed.Add((checkpoint.Step, CheckpointRowFactory.OneLine(e.Message)));
                    continue;
                }
                if (row.Sha256 != entry.Sha256 && entry.Sha256 != CheckpointSource.Unreadable)
                    throw new RunFormatException(checkpoint.Path,
                        $"the checkpoint of step {checkpoint.Step} changed since analysis.json was written (SHA-256 differs); use a new --out folder");
                string? problem = current ? null : Capture(config, checkpoint, reader, load, model, recorder, probe, probeHash, hooked, entry, path);
                if (problem is null)
                {
                    if (current) reused++;
                    else captured++;
                    steps.Add(checkpoint.Step);
                    store.Write(key, [row]);
                }
                else
                {
                    store.Write(key, [CheckpointRowFactory.Failed(checkpoint, file, problem)]);
                    failed.Add((checkpoint.Step, CheckpointRowFactory.OneLine(problem)));
                }
            }
        }
        progress?.Report(new AnalysisProgress(checkpoints.Count, checkpoints.Count, null, "activations cached"));
        if (steps.Count == 0)
        {
            if (failed.Count == 0) throw new RunFormatException(run.Directory, "the run has no checkpoints (devinterp inspect RUN lists what it holds)");
            throw new CheckpointFormatException(run.Directory,
                $"no checkpoint of the run could be used ({failed.Count} failed); the first problem (step {failed[0].Step}): {failed[0].Error}");
        }
        return new ActivationCacheResult(steps, CachedLayers(folder, steps[0], hooked), failed, captured, reused, probeHash, probe.Count);
    }

    /// <summary>A layer's cached activations at <paramref name="step"/> as a float64 [rows, features] tensor (caller disposes).</summary>
    /// <exception cref="CheckpointFormatException">No activation file for the step, or it lacks the layer.</exception>
    public static Tensor ReadLayer(string folder, long step, string layer) => Read(folder, step, LayerTensor(layer));

    /// <summary>The cached model outputs at <paramref name="step"/> as a float64 [rows, outputs] tensor (caller disposes).</summary>
    /// <exception cref="CheckpointFormatException">No activation file for the step.</exception>
    public static Tensor ReadOutputs(string folder, long step) => Read(folder, step, OutputTensor);

    private static Tensor Read(string folder, long step, string tensor)
    {
        string path = AnalysisPaths.Activations(folder, step);
        if (!File.Exists(path)) throw new CheckpointFormatException(path, $"no cached activations for step {step}");
        using var reader = SafetensorsReader.Open(path);
        if (!reader.Tensors.Any(t => t.Name == tensor)) throw new CheckpointFormatException(path, $"the cached activations hold no tensor '{tensor}'");
        return reader.ReadTorch(tensor, ScalarType.Float64);
    }

    /// <summary>Loads one opened checkpoint into the model, captures it and writes its file; returns why it failed, or null.</summary>
    private static string? Capture(AnalysisConfig config, RunCheckpoint checkpoint, ICheckpointReader reader, StateDictLoadOptions load,
        nn.Module<Tensor, Tensor> model, ActivationRecorder recorder, ProbeBatch probe, string probeHash, IReadOnlyList<string> hooked,
        CheckpointSource entry, string path)
    {
        string file = Path.GetFileName(checkpoint.Path);
        try
        {
            StateDictLoader.Load(model, reader, load);
        }
        catch (Exception e) when (CheckpointRowFactory.IsCheckpointFailure(e))
        {
            return e.Message.Contains(file, StringComparison.Ordinal) ? e.Message : $"{file}: {e.Message}";
        }

        using var activations = recorder.Capture(probe.Inputs);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        using var scope = NewDisposeScope();
        foreach (string layer in activations.Layers)
        {
            if (NonFinite(activations[layer]) is { } bad) return $"{file}: layer '{layer}' has {bad} non-finite activations on the probe batch";
            tensors.Add(new(LayerTensor(layer), activations[layer].to_type(config.ScalarType)));
        }
        if (NonFinite(activations.Output) is { } badOut) return $"{file}: the model's outputs on the probe batch have {badOut} non-finite values";
        tensors.Add(new(OutputTensor, activations.Output.to_type(config.ScalarType)));
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string>
        {
            ["format"] = "devinterp-activations",
            ["version"] = "1",
            ["step"] = entry.Step.ToString(CultureInfo.InvariantCulture),
            ["checkpoint_sha256"] = entry.Sha256,
            ["probe_sha256"] = probeHash,
            ["dtype"] = config.DType,
            ["hooked"] = JsonSerializer.Serialize(hooked, AnalysisConfig.Json),
        });
        return null;
    }

    private static long? NonFinite(Tensor t)
    {
        using var scope = NewDisposeScope();
        long bad = t.isfinite().logical_not().sum().item<long>();
        return bad == 0 ? null : bad;
    }

    /// <summary>A cache file is current when it is for this checkpoint's bytes, this probe and dtype, and hooked every layer hooked now.</summary>
    private static bool IsCurrent(string path, CheckpointSource entry, string probeHash, string dtype, IReadOnlyList<string> hooked)
    {
        if (!File.Exists(path)) return false;
        try
        {
            using var reader = SafetensorsReader.Open(path);
            var m = reader.RawMetadata;
            if (m.GetValueOrDefault("checkpoint_sha256") != entry.Sha256 || m.GetValueOrDefault("probe_sha256") != probeHash ||
                m.GetValueOrDefault("dtype") != dtype || m.GetValueOrDefault("step") != entry.Step.ToString(CultureInfo.InvariantCulture))
                return false;
            var was = m.TryGetValue("hooked", out var json) ? JsonSerializer.Deserialize<string[]>(json, AnalysisConfig.Json) ?? [] : [];
            return hooked.All(was.Contains) && reader.Tensors.Any(t => t.Name == OutputTensor);
        }
        catch (Exception e) when (e is CheckpointFormatException or IOException or JsonException)
        {
            return false; // unreadable: capture again
        }
    }

    /// <summary>The layers of the current selection that the forward pass produced (hooked layers that did not run are absent).</summary>
    private static IReadOnlyList<string> CachedLayers(string folder, long step, IReadOnlyList<string> hooked)
    {
        using var reader = SafetensorsReader.Open(AnalysisPaths.Activations(folder, step));
        var present = reader.Tensors.Select(t => t.Name).ToHashSet();
        return hooked.Where(l => present.Contains(LayerTensor(l))).ToList();
    }
}

/// <summary>What <see cref="ActivationCache.Fill"/> found and did.</summary>
/// <param name="Steps">Steps whose activations are cached, ascending (the checkpoints the analyses use).</param>
/// <param name="Layers">Layers cached at every one of those steps, in module order.</param>
/// <param name="Failed">Checkpoints that could not be used, with why (one line, naming the file).</param>
/// <param name="Captured">Checkpoints captured in this call.</param>
/// <param name="Reused">Checkpoints whose cached activations were current.</param>
/// <param name="ProbeSha256">Hash of the probe batch.</param>
/// <param name="ProbeRows">Probe samples.</param>
public sealed record ActivationCacheResult(
    IReadOnlyList<long> Steps,
    IReadOnlyList<string> Layers,
    IReadOnlyList<(long Step, string Error)> Failed,
    int Captured,
    int Reused,
    string ProbeSha256,
    long ProbeRows);
