namespace DevInterp.Stages.LlcCurve;

/// <summary>
/// One stage of an LLC curve: checkpoints <see cref="StartIndex"/> up to, not including, <see cref="EndIndex"/>
/// (the next stage's first checkpoint), i.e. steps [StartStep, EndStep); the last stage also holds its EndStep.
/// </summary>
/// <param name="Index">Position among the stages, from 0.</param>
/// <param name="StartStep">Step of the stage's first checkpoint.</param>
/// <param name="EndStep">Step of the next stage's first checkpoint (the last checkpoint for the last stage).</param>
/// <param name="StartIndex">Index of the first checkpoint among those used.</param>
/// <param name="EndIndex">Index of the next stage's first checkpoint (the last index for the last stage).</param>
/// <param name="Trend">Rising, falling or flat.</param>
/// <param name="StartValue">Smoothed value at StartStep.</param>
/// <param name="EndValue">Smoothed value at EndStep.</param>
public sealed record LlcStage(
    int Index, long StartStep, long EndStep, int StartIndex, int EndIndex, StageTrend Trend, double StartValue, double EndValue)
{
    /// <summary>EndValue − StartValue, on the smoothed curve.</summary>
    public double ValueChange => EndValue - StartValue;
}

/// <summary>
/// A checkpoint where the smoothed slope changes sign between a rising and a falling stage (possibly across a flat
/// stage): the checkpoint in between whose slope is closest to zero.
/// </summary>
/// <param name="Step">Step of that checkpoint.</param>
/// <param name="Index">Its index among the checkpoints used.</param>
/// <param name="IsMaximum">True for + → − (a peak of the curve), false for − → + (a trough).</param>
public sealed record LlcCriticalPoint(long Step, int Index, bool IsMaximum);
