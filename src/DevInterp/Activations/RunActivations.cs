using DevInterp.Checkpoints;
using DevInterp.Models;
using DevInterp.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DevInterp.Activations;

/// <summary>
/// Streams a run's activations on a fixed probe batch: for each checkpoint in step order, loads it into one module
/// (built once; hooks attached once), captures the selected layers and the model output, hands them to the consumers
/// and frees them. Only one checkpoint's weights and activations are in memory at a time; the consumers keep what
/// they need (e.g. a <c>StepSimilarityAccumulator</c> per layer, an <see cref="OutputTrajectory"/>).
/// The tensors passed to the consumers are float64 [rows, features] and valid only during the call.
/// </summary>
public static class RunActivations
{
    /// <summary>Streams a run of a model spec (given in the options, or read from the run's manifest).</summary>
    /// <param name="run">The run.</param>
    /// <param name="probe">The probe batch.</param>
    /// <param name="onLayer">Called with (step, layer, activations [rows, features]) for every layer of every checkpoint; may be null.</param>
    /// <param name="onOutputs">Called with (step, model outputs [rows, outputs]) for every checkpoint; may be null.</param>
    /// <param name="options">Layers, spec, dtype, name map, error handling.</param>
    /// <param name="progress">Reports each checkpoint done.</param>
    /// <param name="cancel">Stops between checkpoints.</param>
    /// <exception cref="ArgumentException">No model spec given and none in the manifest.</exception>
    public static RunActivationsResult Stream(Run run, ProbeBatch probe, Action<long, string, Tensor>? onLayer,
        Action<long, Tensor>? onOutputs = null, RunActivationOptions? options = null,
        IProgress<RunActivationsProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        options ??= new RunActivationOptions();
        var spec = options.Model ?? (run.Manifest?.Model is { } json ? ModelSpec.Parse(json)
            : throw new ArgumentException($"run {run.Directory}: its manifest records no model spec; give one (RunActivationOptions.Model) or pass a module", nameof(options)));
        using var model = spec.Build(0, options.DType);
        return Stream(run, model, probe, onLayer, onOutputs, options with { Layers = options.Layers ?? LayerSelection.Default(spec) }, progress, cancel);
    }

    /// <summary>
    /// Streams a run through any module: each checkpoint is loaded into <paramref name="model"/> (by its state-dict
    /// names, after the options' name map), which ends up holding the last checkpoint captured.
    /// </summary>
    public static RunActivationsResult Stream(Run run, nn.Module<Tensor, Tensor> model, ProbeBatch probe,
        Action<long, string, Tensor>? onLayer, Action<long, Tensor>? onOutputs = null, RunActivationOptions? options = null,
        IProgress<RunActivationsProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(probe);
        options ??= new RunActivationOptions();
        using var recorder = new ActivationRecorder(model, options.Layers ?? LayerSelection.All);
        var steps = new List<long>();
        var skipped = new List<SkippedCheckpoint>();
        IReadOnlyList<string>? layers = null;
        Dictionary<string, long>? features = null;
        long rows = 0;
        int done = 0;
        foreach (var replayed in run.Replay())
        {
            cancel.ThrowIfCancellationRequested();
            var checkpoint = replayed.Checkpoint;
            string? problem = replayed.Error is CheckpointFormatException open ? open.Reason : replayed.Error?.Message;
            if (problem is null)
            {
                try
                {
                    StateDictLoader.Load(model, replayed.Reader!, options.Load);
                }
                catch (CheckpointFormatException e)
                {
                    problem = e.Reason;
                }
            }
            if (problem is not null)
            {
                if (options.StopOnError) throw new CheckpointFormatException(checkpoint.Path, $"(step {checkpoint.Step}) {problem}", replayed.Error);
                skipped.Add(new SkippedCheckpoint(checkpoint.Step, checkpoint.Path, problem));
                progress?.Report(new RunActivationsProgress(++done, run.Checkpoints.Count, checkpoint.Step));
                continue;
            }
            using (var captured = recorder.Capture(probe.Inputs))
            {
                layers ??= captured.Layers;
                features ??= captured.Layers.ToDictionary(l => l, l => captured[l].shape[1]);
                rows = captured.Rows;
                if (!captured.Layers.SequenceEqual(layers))
                    throw new InvalidOperationException($"step {checkpoint.Step}: captured layers [{string.Join(", ", captured.Layers)}] differ from the first checkpoint's [{string.Join(", ", layers)}]");
                foreach (string layer in captured.Layers) onLayer?.Invoke(checkpoint.Step, layer, captured[layer]);
                onOutputs?.Invoke(checkpoint.Step, captured.Output);
            }
            steps.Add(checkpoint.Step);
            progress?.Report(new RunActivationsProgress(++done, run.Checkpoints.Count, checkpoint.Step));
        }
        if (steps.Count == 0)
        {
            var first = skipped[0];
            throw new CheckpointFormatException(first.Path,
                $"no checkpoint of run {run.Directory} could be loaded into the model ({skipped.Count} skipped); the first problem: {first.Reason}");
        }
        return new RunActivationsResult(steps, layers!, features!, rows, skipped);
    }
}
