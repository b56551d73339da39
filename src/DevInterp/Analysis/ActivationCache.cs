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
/// whose activations are not finite, are recorded as failed in the <c>checkpoints</c> table (<see cref="CheckpointRows"/>)
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
    /// Makes sure every checkpoint of the config's run source has a current activation file, capturing those that do
    /// not, and records each checkpoint in the <c>checkpoints</c> table. Stops between checkpoints when cancelled
    /// (what was cached stays).
    /// </summary>
    /// <exception cref="RunFormatException">The probe or model changed since the cache was made, or a checkpoint's
    /// file no longer has the SHA-256 analysis.json records.</exception>
    /// <exception cref="CheckpointFormatException">No checkpoint could be used at all.</exception>
    public static ActivationCacheResult Fill(string folder, RunAnalysisInputs inputs, IProgress<RunAnalysisProgress>? progress = null,
        CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(inputs);
        var config = inputs.Config;
        Directory.CreateDirectory(AnalysisPaths.ActivationFolder(folder));
        AtomicFile.CleanStaleTempFiles(AnalysisPaths.ActivationFolder(folder));
        var store = AnalysisStore.Open(folder);
        using var probe = AnalysisProbe.Prepare(folder, inputs, out string probeHash);
        var selection = config.Similarity.Layers is { } text ? LayerSelection.Parse(text) : LayerSelection.Default(inputs.Model);
        using var model = inputs.Model.Build(0, config.ScalarType);
        using var recorder = new ActivationRecorder(model, selection);
        var hooked = recorder.Layers;

        var checkpoints = config.Run.Checkpoints.OrderBy(c => c.Step).ToList();
        var steps = new List<long>();
        var failed = new List<FailedCheckpoint>();
        int captured = 0, reused = 0;
        for (int i = 0; i < checkpoints.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            var entry = checkpoints[i];
            string key = PartKey.ForStep(entry.Step);
            string path = AnalysisPaths.Activations(folder, entry.Step);
            if (IsCurrent(path, entry, probeHash, config.DType, hooked))
            {
                reused++;
                steps.Add(entry.Step);
                if (!store.HasPart<CheckpointRow>(key)) store.Write(key, [CheckpointRows.Ok(config.Run, inputs.Run, entry.Step)]);
            }
            else
            {
                string? problem = Capture(inputs, entry, model, recorder, probe, probeHash, hooked, path);
                if (problem is null)
                {
                    captured++;
                    steps.Add(entry.Step);
                    store.Write(key, [CheckpointRows.Ok(config.Run, inputs.Run, entry.Step)]);
                }
                else
                {
                    failed.Add(new FailedCheckpoint(entry.Step, entry.File, problem));
                    store.Write(key, [CheckpointRows.Failed(config.Run, inputs.Run, entry.Step, problem)]);
                }
            }
            progress?.Report(new RunAnalysisProgress("capture", i + 1, checkpoints.Count, $"step {entry.Step}"));
        }
        if (steps.Count == 0)
        {
            var first = failed.Count > 0 ? failed[0] : throw new RunFormatException(config.Run.Path, "analysis.json lists no checkpoints");
            throw new CheckpointFormatException(Path.Combine(inputs.Run.Directory, first.File),
                $"no checkpoint of the run could be used ({failed.Count} failed); the first problem (step {first.Step}): {first.Reason}");
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

    /// <summary>Loads and captures one checkpoint and writes its file; returns why it failed, or null.</summary>
    private static string? Capture(RunAnalysisInputs inputs, CheckpointSource entry, nn.Module<Tensor, Tensor> model,
        ActivationRecorder recorder, ProbeBatch probe, string probeHash, IReadOnlyList<string> hooked, string path)
    {
        var checkpoint = inputs.Run.Checkpoints.FirstOrDefault(c => c.Step == entry.Step);
        if (checkpoint is null) return $"listed in analysis.json ({entry.File}) but not found in the run";
        try
        {
            string hash = RunSource.Hash(checkpoint.Path);
            if (hash != entry.Sha256)
                throw new RunFormatException(checkpoint.Path,
                    $"the checkpoint of step {entry.Step} changed since analysis.json was written (SHA-256 {hash[..12]}…, recorded {entry.Sha256[..Math.Min(12, entry.Sha256.Length)]}…); start a new analysis");
            using var reader = checkpoint.Open();
            StateDictLoader.Load(model, reader, inputs.LoadOptions);
        }
        catch (Exception e) when (e is CheckpointFormatException or IOException or UnauthorizedAccessException)
        {
            return CheckpointRows.Reason(e);
        }

        using var activations = recorder.Capture(probe.Inputs);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        using var scope = NewDisposeScope();
        foreach (string layer in activations.Layers)
        {
            if (NonFinite(activations[layer]) is { } bad) return $"layer '{layer}' has {bad} non-finite activations on the probe batch";
            tensors.Add(new(LayerTensor(layer), activations[layer].to_type(inputs.Config.ScalarType)));
        }
        if (NonFinite(activations.Output) is { } badOut) return $"the model's outputs on the probe batch have {badOut} non-finite values";
        tensors.Add(new(OutputTensor, activations.Output.to_type(inputs.Config.ScalarType)));
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string>
        {
            ["format"] = "devinterp-activations",
            ["version"] = "1",
            ["step"] = entry.Step.ToString(CultureInfo.InvariantCulture),
            ["checkpoint_sha256"] = entry.Sha256,
            ["probe_sha256"] = probeHash,
            ["dtype"] = inputs.Config.DType,
            ["hooked"] = JsonSerializer.Serialize(hooked),
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
            var was = m.TryGetValue("hooked", out var json) ? JsonSerializer.Deserialize<string[]>(json) ?? [] : [];
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
/// <param name="Failed">Checkpoints that could not be used, with why.</param>
/// <param name="Captured">Checkpoints captured in this call.</param>
/// <param name="Reused">Checkpoints whose cached activations were current.</param>
/// <param name="ProbeSha256">Hash of the probe batch.</param>
/// <param name="ProbeRows">Probe samples.</param>
public sealed record ActivationCacheResult(
    IReadOnlyList<long> Steps,
    IReadOnlyList<string> Layers,
    IReadOnlyList<FailedCheckpoint> Failed,
    int Captured,
    int Reused,
    string ProbeSha256,
    long ProbeRows);
