namespace DevInterp.Stages.Table;

/// <summary>The run's checkpoints as a position axis in the tolerance's unit.</summary>
internal sealed class StageAxis
{
    private readonly long[] _steps;
    private readonly double[] _positions;
    private readonly ToleranceUnit _unit;

    private StageAxis(long[] steps, ToleranceUnit unit)
    {
        _steps = steps;
        _unit = unit;
        _positions = steps.Select((s, i) => unit == ToleranceUnit.Checkpoints ? i : Math.Log(s + 1.0)).ToArray();
    }

    public long First => _steps[0];
    public long Last => _steps[^1];

    public static StageAxis Create(IReadOnlyList<long> steps, ToleranceUnit unit)
    {
        if (steps is null || steps.Count < 2)
            throw new ArgumentException($"checkpoint steps: need at least 2 checkpoints, got {steps?.Count ?? 0}", nameof(steps));
        for (int i = 0; i < steps.Count; i++)
            if (steps[i] < 0 || (i > 0 && steps[i] <= steps[i - 1]))
                throw new ArgumentException($"checkpoint steps: must be ≥ 0 and strictly increasing; {steps[i]} at index {i}", nameof(steps));
        return new StageAxis(steps.ToArray(), unit);
    }

    /// <summary>Position of a step: its checkpoint index (linearly interpolated between checkpoints) or ln(step + 1).</summary>
    public double Position(long step)
    {
        if (_unit == ToleranceUnit.LogSteps) return Math.Log(step + 1.0);
        int hi = Array.BinarySearch(_steps, step);
        if (hi >= 0) return hi;
        hi = ~hi;
        if (hi == 0) return 0;
        if (hi == _steps.Length) return _steps.Length - 1;
        return hi - 1 + (double)(step - _steps[hi - 1]) / (_steps[hi] - _steps[hi - 1]);
    }

    /// <summary>The checkpoint step nearest a position (the earlier one on ties).</summary>
    public long NearestCheckpoint(double position)
    {
        int best = 0;
        for (int i = 1; i < _positions.Length; i++)
            if (Math.Abs(_positions[i] - position) < Math.Abs(_positions[best] - position)) best = i;
        return _steps[best];
    }
}
