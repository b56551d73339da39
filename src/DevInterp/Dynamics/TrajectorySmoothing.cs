using DevInterp.Numerics;

namespace DevInterp.Dynamics;

/// <summary>
/// Gaussian smoothing of a trajectory along training: row t becomes Σₛ wₜₛ·rowₛ / Σₛ wₜₛ with
/// wₜₛ = exp(−(uₜ − uₛ)²/(2σ²)), uₜ the checkpoint's index or ln(step + 1) (<see cref="SmoothingAxis"/>). This
/// normalized kernel average (Nadaraya–Watson) handles unevenly spaced positions, and at the ends of the run it uses
/// only the checkpoints that exist, so the ends are pulled slightly inward rather than padded. Weights below e^(−18)
/// (beyond 6σ) are skipped.
/// </summary>
public static class TrajectorySmoothing
{
    /// <summary>The smoothed trajectory (same shape as <paramref name="trajectory"/>).</summary>
    /// <param name="steps">Checkpoint steps, strictly increasing (and ≥ 0 for <see cref="SmoothingAxis.LogStep"/>).</param>
    /// <param name="trajectory">T × k coordinates, row t at <c>steps[t]</c>.</param>
    /// <param name="options">Kernel width and axis.</param>
    public static ReadOnlyMatrix Smooth(IReadOnlyList<long> steps, ReadOnlyMatrix trajectory, TrajectorySmoothingOptions options)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(trajectory);
        ArgumentNullException.ThrowIfNull(options);
        var u = Positions(steps, options.Axis);
        if (trajectory.Rows != steps.Count)
            throw new ArgumentException($"trajectory: has {trajectory.Rows} rows for {steps.Count} steps", nameof(trajectory));
        if (!(options.Sigma >= 0) || !double.IsFinite(options.Sigma))
            throw new ArgumentException($"TrajectorySmoothingOptions.Sigma: expected a finite number ≥ 0, got {options.Sigma}", nameof(options));
        int t = trajectory.Rows, k = trajectory.Columns;
        var result = new double[t * k];
        for (int i = 0; i < t; i++)
        {
            double weightSum = 0;
            for (int s = 0; s < t; s++)
            {
                double w = Weight(u[i] - u[s], options.Sigma);
                if (w == 0) continue;
                weightSum += w;
                for (int c = 0; c < k; c++) result[i * k + c] += w * trajectory[s, c];
            }
            for (int c = 0; c < k; c++) result[i * k + c] /= weightSum;
        }
        return new ReadOnlyMatrix(t, k, result);
    }

    /// <summary>The positions uₜ the kernel measures distances on.</summary>
    public static double[] Positions(IReadOnlyList<long> steps, SmoothingAxis axis)
    {
        for (int i = 1; i < steps.Count; i++)
            if (steps[i] <= steps[i - 1])
                throw new ArgumentException($"steps: must be strictly increasing, but step {steps[i]} follows {steps[i - 1]}", nameof(steps));
        if (axis == SmoothingAxis.LogStep && steps.Count > 0 && steps[0] < 0)
            throw new ArgumentException($"steps: log-step smoothing needs steps ≥ 0, got {steps[0]}", nameof(steps));
        return axis switch
        {
            SmoothingAxis.Index => Enumerable.Range(0, steps.Count).Select(i => (double)i).ToArray(),
            SmoothingAxis.LogStep => steps.Select(s => Math.Log(s + 1.0)).ToArray(),
            _ => throw new ArgumentException($"TrajectorySmoothingOptions.Axis: unknown value {axis}", nameof(axis)),
        };
    }

    private static double Weight(double distance, double sigma)
    {
        if (sigma == 0) return distance == 0 ? 1 : 0;
        double z = distance / sigma;
        return z * z > 36 ? 0 : Math.Exp(-0.5 * z * z);
    }
}
