using MathNet.Numerics.LinearAlgebra;

namespace DevInterp.Dynamics;

/// <summary>
/// Essential dynamics (the developmental-interpretability use of PCA over training): PCA of the model's outputs on
/// a fixed probe batch across checkpoints, Gaussian smoothing of the trajectory along steps, osculating-circle
/// curvature in the PC1–PC2 plane, and the checkpoints where that path turns sharply or reverses flagged as candidate
/// transitions.
/// </summary>
public static class EssentialDynamics
{
    /// <summary>Runs the analysis.</summary>
    /// <param name="steps">Checkpoint steps, strictly increasing, one per row of <paramref name="outputs"/>.</param>
    /// <param name="outputs">T × F: row t the flattened outputs (samples × outputs) at checkpoint t.</param>
    /// <param name="options">Components, smoothing and thresholds.</param>
    public static EssentialDynamicsResult Analyze(IReadOnlyList<long> steps, Matrix<double> outputs, EssentialDynamicsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(steps);
        options ??= new EssentialDynamicsOptions();
        if (outputs is not null && steps.Count != outputs.RowCount)
            throw new ArgumentException($"steps: {steps.Count} steps for {outputs.RowCount} checkpoints (rows of outputs)", nameof(steps));
        var smoothing = options.Smoothing ?? new TrajectorySmoothingOptions();
        TrajectorySmoothing.Positions(steps, smoothing.Axis); // checks the steps before the expensive part
        var pca = TrajectoryPca.Fit(outputs!, options.Pca ?? new TrajectoryPcaOptions());
        var smoothed = TrajectorySmoothing.Smooth(steps, pca.Scores, smoothing);
        var curvature = smoothed.Columns >= 2
            ? PlanarCurvature.Compute(steps, smoothed.Column(0), smoothed.Column(1))
            : throw new ArgumentException(
                $"outputs: the trajectory has only {smoothed.Columns} component with variance (or TrajectoryPcaOptions.Components < 2); curvature needs PC1 and PC2", nameof(outputs));
        var transitions = TransitionDetector.Detect(curvature, options.Transitions);
        return new EssentialDynamicsResult(steps.ToArray(), pca, smoothed, curvature, transitions);
    }
}
