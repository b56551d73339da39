using System.Diagnostics;
using System.Globalization;
using System.Text;
using DevInterp.Checkpoints.Safetensors;
using DevInterp.Runs;
using DevInterp.Tasks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DevInterp.Training;

/// <summary>
/// Trains a model on a task and writes a run directory: <c>step_000000.safetensors</c> ... (the state dict, with
/// <c>__metadata__</c> holding step, train_loss, the <see cref="TaskMetrics"/> and the <see cref="CheckpointMetrics"/> as strings),
/// <c>manifest.json</c> (rewritten after every checkpoint, so an interrupted run is still a valid run) and
/// <c>loss_curve.csv</c> (step,train_loss). Deterministic: the same config gives byte-identical files. The model is
/// initialised from the seed, the data from the task's own seed, minibatches from a <see cref="TaskRng"/> of the seed,
/// and torch's global generator is seeded too (<c>torch.manual_seed</c>) for any library code that draws from it.
/// Training runs on one intra-op thread (restored afterwards), so results do not depend on the core count.
/// </summary>
public static class Trainer
{
    /// <summary>The manifest-relative name of the loss curve file.</summary>
    public const string LossCurveFile = "loss_curve.csv";

    /// <summary>Trains and writes the run into <paramref name="outputDirectory"/> (created if needed).</summary>
    /// <param name="config">What to train; validated first.</param>
    /// <param name="outputDirectory">The run directory.</param>
    /// <param name="progress">Receives a report at each checkpoint and about every 1% of the steps.</param>
    /// <param name="overwrite">Replace an existing run there (its step files, manifest and loss curve); otherwise refuse.</param>
    /// <param name="cancellationToken">Stops between steps; checkpoints written so far stay listed in the manifest.</param>
    /// <exception cref="Models.SpecFormatException">The config is invalid (the message names the field).</exception>
    /// <exception cref="RunFormatException">The directory already holds a run and <paramref name="overwrite"/> is false.</exception>
    /// <exception cref="InvalidOperationException">The loss became NaN or infinite.</exception>
    public static TrainingResult Run(TrainingConfig config, string outputDirectory, IProgress<TrainingProgress>? progress = null,
        bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        PrepareDirectory(outputDirectory, overwrite);
        // One intra-op thread: these models are tiny (threads only add synchronisation, badly so on a loaded machine),
        // and results then do not depend on the machine's core count.
        int threads = get_num_threads();
        set_num_threads(1);
        try
        {
            return Train(config, outputDirectory, progress, cancellationToken);
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    private static TrainingResult Train(TrainingConfig config, string outputDirectory, IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        var settings = config.Training;
        var clock = Stopwatch.StartNew();
        var checkpointSteps = settings.EffectiveSchedule.Resolve(settings.Steps);
        var checkpointSet = checkpointSteps.ToHashSet();
        var curveSteps = new SortedSet<long>(checkpointSteps);
        if (settings.LossCurvePoints > 0) curveSteps.UnionWith(CheckpointSchedule.LogSpaced(settings.LossCurvePoints).Resolve(settings.Steps));
        string stepFormat = "D" + Math.Max(6, settings.Steps.ToString(CultureInfo.InvariantCulture).Length);
        long reportEvery = Math.Max(1, settings.Steps / 100);

        manual_seed(settings.Seed);
        using var model = config.Model.Build(settings.Seed, settings.ScalarType);
        using var data = config.Task.Generate(settings.ScalarType);
        using var test = config.Task.LoadTest(settings.ScalarType);
        using var optimizer = CreateOptimizer(settings, model.parameters());
        var sampler = new MinibatchSampler(data.Count, settings.BatchSize, settings.Seed);
        var checkpoints = new List<ManifestCheckpoint>();
        var curve = new List<(long, double)>();
        string manifestPath = Path.Combine(outputDirectory, RunManifest.FileName);

        for (long step = 0; ; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (curveSteps.Contains(step))
            {
                double loss = FullLoss(model, data);
                curve.Add((step, loss));
                if (checkpointSet.Contains(step))
                {
                    var checkpoint = WriteCheckpoint(model, data, test, outputDirectory, step, stepFormat, loss);
                    checkpoints.Add(checkpoint);
                    Manifest(config, checkpoints).Save(manifestPath);
                    progress?.Report(new TrainingProgress(step, settings.Steps, loss, checkpoint, clock.Elapsed));
                }
                if (!double.IsFinite(loss)) throw Diverged(step, loss, settings);
            }
            if (step == settings.Steps) break;

            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            using var indices = sampler.Next();
            var batchLoss = data.Loss(model, indices);
            batchLoss.backward();
            optimizer.step();
            if ((step + 1) % reportEvery == 0 && !checkpointSet.Contains(step + 1))
            {
                double value = batchLoss.to_type(ScalarType.Float64).item<double>();
                if (!double.IsFinite(value)) throw Diverged(step, value, settings);
                progress?.Report(new TrainingProgress(step + 1, settings.Steps, value, null, clock.Elapsed));
            }
        }

        WriteLossCurve(Path.Combine(outputDirectory, LossCurveFile), curve);
        return new TrainingResult(outputDirectory, RunManifest.Load(manifestPath), curve, clock.Elapsed);
    }

    /// <summary>The checkpoint file name of a step (<c>step_000120.safetensors</c>; wider when the run has more steps).</summary>
    public static string CheckpointFileName(long step, long totalSteps) =>
        "step_" + step.ToString("D" + Math.Max(6, totalSteps.ToString(CultureInfo.InvariantCulture).Length), CultureInfo.InvariantCulture) + ".safetensors";

    private static ManifestCheckpoint WriteCheckpoint(nn.Module<Tensor, Tensor> model, TaskData data, TaskData? test, string directory,
        long step, string stepFormat, double loss)
    {
        var metrics = new Dictionary<string, double> { ["train_loss"] = loss };
        foreach (var (k, v) in TaskMetrics.Compute(model, data, test)) metrics[k] = v;
        foreach (var (k, v) in CheckpointMetrics.Compute(model)) metrics[k] = v;
        var metadata = new Dictionary<string, string> { ["step"] = step.ToString(CultureInfo.InvariantCulture) };
        foreach (var (k, v) in metrics) metadata[k] = v.ToString("R", CultureInfo.InvariantCulture);
        string file = $"step_{step.ToString(stepFormat, CultureInfo.InvariantCulture)}.safetensors";
        SafetensorsWriter.Write(Path.Combine(directory, file), model.state_dict(), metadata);
        return new ManifestCheckpoint(step, file, metrics);
    }

    private static RunManifest Manifest(TrainingConfig config, List<ManifestCheckpoint> checkpoints) =>
        new(config.Name, config.Model.ToJson(), config.Task.ToJson(), config.Training.ToJson(), [.. checkpoints]);

    private static double FullLoss(nn.Module<Tensor, Tensor> model, TaskData data)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return data.Loss(model).to_type(ScalarType.Float64).item<double>();
    }

    private static optim.Optimizer CreateOptimizer(TrainingSettings s, IEnumerable<Parameter> parameters) => s.Optimizer switch
    {
        "adam" => optim.Adam(parameters, s.LearningRate, s.Beta1, s.Beta2, weight_decay: s.WeightDecay),
        "adamw" => optim.AdamW(parameters, s.LearningRate, s.Beta1, s.Beta2, weight_decay: s.WeightDecay),
        _ => optim.SGD(parameters, s.LearningRate, momentum: s.Momentum, weight_decay: s.WeightDecay),
    };

    private static InvalidOperationException Diverged(long step, double loss, TrainingSettings s) =>
        new($"training diverged at step {step}: the loss is {loss.ToString(CultureInfo.InvariantCulture)}; lower training.lr (now {s.LearningRate.ToString(CultureInfo.InvariantCulture)})");

    private static void PrepareDirectory(string directory, bool overwrite)
    {
        Directory.CreateDirectory(directory);
        var old = Directory.EnumerateFiles(directory, "step_*.safetensors")
            .Concat(new[] { RunManifest.FileName, LossCurveFile }.Select(f => Path.Combine(directory, f)).Where(File.Exists))
            .ToList();
        if (old.Count == 0) return;
        if (!overwrite)
            throw new RunFormatException(directory, $"already holds a run ({Path.GetFileName(old[0])}); choose an empty directory or overwrite it");
        foreach (string f in old) File.Delete(f);
    }

    private static void WriteLossCurve(string path, List<(long Step, double Loss)> curve)
    {
        var text = new StringBuilder("step,train_loss\n");
        foreach (var (step, loss) in curve)
            text.Append(step.ToString(CultureInfo.InvariantCulture)).Append(',').Append(loss.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        File.WriteAllText(path, text.ToString());
    }
}
