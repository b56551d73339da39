namespace DevInterp.Dynamics;

/// <summary>
/// Flags candidate transitions on a curvature profile: local maxima of |κ| (strictly above the previous point, at least
/// the next) that exceed max(RelativeThreshold·median |κ|, NoiseFloorFraction·max |κ|), and direction reversals
/// (|turning angle| ≥ ReversalAngleDegrees). Points with undefined curvature (a stalled step) are skipped.
/// </summary>
public static class TransitionDetector
{
    /// <summary>The flagged checkpoints in step order.</summary>
    public static IReadOnlyList<TransitionCandidate> Detect(IReadOnlyList<CurvaturePoint> curvature, TransitionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(curvature);
        options ??= new TransitionOptions();
        if (!(options.RelativeThreshold >= 0) || !(options.NoiseFloorFraction >= 0) ||
            !(options.ReversalAngleDegrees > 0 && options.ReversalAngleDegrees <= 180))
            throw new ArgumentException(
                $"TransitionOptions: expected RelativeThreshold ≥ 0, NoiseFloorFraction ≥ 0 and ReversalAngleDegrees in (0, 180], got {options}", nameof(options));
        var defined = curvature.Where(c => double.IsFinite(c.Curvature)).ToList();
        if (defined.Count == 0) return [];
        var magnitudes = defined.Select(c => Math.Abs(c.Curvature)).Order().ToArray();
        double median = magnitudes.Length % 2 == 1
            ? magnitudes[magnitudes.Length / 2]
            : 0.5 * (magnitudes[magnitudes.Length / 2 - 1] + magnitudes[magnitudes.Length / 2]);
        double threshold = Math.Max(options.RelativeThreshold * median, options.NoiseFloorFraction * magnitudes[^1]);

        var result = new List<TransitionCandidate>();
        for (int i = 0; i < defined.Count; i++)
        {
            var c = defined[i];
            double m = Math.Abs(c.Curvature);
            bool peak = m > threshold
                && (i == 0 || m > Math.Abs(defined[i - 1].Curvature))
                && (i == defined.Count - 1 || m >= Math.Abs(defined[i + 1].Curvature));
            bool reversal = Math.Abs(c.TurningAngleDegrees) >= options.ReversalAngleDegrees;
            var kind = (peak ? TransitionKind.CurvaturePeak : 0) | (reversal ? TransitionKind.DirectionReversal : 0);
            if (kind != TransitionKind.None) result.Add(new TransitionCandidate(c.Index, c.Step, c.Curvature, c.TurningAngleDegrees, kind));
        }
        return result;
    }
}
