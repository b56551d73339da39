using DevInterp.Activations;
using DevInterp.Dynamics;
using DevInterp.Runs;
using DevInterp.Storage;

namespace DevInterp.Analysis;

/// <summary>
/// Essential dynamics over a whole run: the model's outputs on the probe batch at every usable checkpoint (from the
/// activation cache, <see cref="ActivationCache"/>) form the T × (rows·outputs) trajectory; its PCA, smoothed path and
/// PC1–PC2 curvature with flagged transitions go to the <c>essential_dynamics</c> (raw and smoothed coordinates),
/// <c>essential_dynamics_variance</c> and <c>essential_dynamics_curvature</c> tables, each one part
/// (<see cref="PartKey.Whole"/>). Resumable like the LLC pass: the per-checkpoint work (loading each checkpoint and
/// running the probe batch) is cached once per checkpoint (shared with similarity); the PCA itself is cheap and always
/// recomputed whole from the cache, so the same cache gives identical tables. A checkpoint that cannot be used is
/// recorded in <c>checkpoints</c> with its error and left out of the trajectory.
/// </summary>
public static class DynamicsRunAnalysis
{
    /// <summary>
    /// Runs the analysis into <paramref name="store"/>'s folder (activation cache and the three tables' parts; the command
    /// consolidates). Progress: one unit per checkpoint captured, then one for the analysis.
    /// </summary>
    /// <exception cref="ArgumentException">Settings out of range, or fewer than 3 usable checkpoints (curvature needs neighbours).</exception>
    public static DynamicsRunResult Run(AnalysisConfig config, Run run, AnalysisStore store, IProgress<AnalysisProgress>? progress = null,
        CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(store);
        var options = Options(config.Dynamics);
        double total = run.Checkpoints.Count + 1;
        var cache = ActivationCache.Fill(config, run, store, progress is null ? null : new InlineProgress<AnalysisProgress>(p =>
            progress.Report(new AnalysisProgress(p.Done, total, p.Step, "dynamics: " + p.Activity))), cancel);
        if (cache.Steps.Count < 3)
            throw new ArgumentException($"essential dynamics needs at least 3 usable checkpoints (curvature at a checkpoint uses both neighbours); {cache.Steps.Count} could be used");
        progress?.Report(new AnalysisProgress(total - 1, total, null, "dynamics: PCA and curvature"));
        var trajectory = new OutputTrajectory();
        foreach (long step in cache.Steps)
        {
            cancel.ThrowIfCancellationRequested();
            using var outputs = ActivationCache.ReadOutputs(store.Folder, step);
            trajectory.Add(step, outputs);
        }
        var result = EssentialDynamics.Analyze(trajectory.Steps, trajectory.ToMatrix(), options);
        store.Write(PartKey.Whole, DynamicsCoordinateRow.From(result));
        store.Write(PartKey.Whole, DynamicsVarianceRow.From(result));
        store.Write(PartKey.Whole, DynamicsCurvatureRow.From(result));
        progress?.Report(new AnalysisProgress(total, total, null, "dynamics: done"));
        return new DynamicsRunResult(cache.Steps, cache.Failed, cache, result);
    }

    /// <summary>The essential-dynamics options the settings describe.</summary>
    /// <exception cref="ArgumentException">Components below 2, a negative or non-finite sigma, or an unknown axis.</exception>
    public static EssentialDynamicsOptions Options(DynamicsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var axis = DynamicsSettings.ParseAxis(settings.SmoothingAxis)!.Value;
        return new EssentialDynamicsOptions(new TrajectoryPcaOptions(settings.Components), new TrajectorySmoothingOptions(settings.SmoothingSigma, axis));
    }
}

/// <summary>What <see cref="DynamicsRunAnalysis.Run"/> computed.</summary>
/// <param name="Steps">Steps of the trajectory, ascending.</param>
/// <param name="Failed">Checkpoints that could not be used, with the error.</param>
/// <param name="Cache">What the activation cache did.</param>
/// <param name="Result">The essential-dynamics result (PCA, smoothed path, curvature, flagged transitions).</param>
public sealed record DynamicsRunResult(
    IReadOnlyList<long> Steps,
    IReadOnlyList<(long Step, string Error)> Failed,
    ActivationCacheResult Cache,
    EssentialDynamicsResult Result);
