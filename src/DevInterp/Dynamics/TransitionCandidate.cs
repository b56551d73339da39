namespace DevInterp.Dynamics;

/// <summary>Why a checkpoint was flagged as a candidate transition.</summary>
[Flags]
public enum TransitionKind
{
    /// <summary>Not flagged.</summary>
    None = 0,

    /// <summary>|κ| has a local maximum above the threshold: a sharp turn.</summary>
    CurvaturePeak = 1,

    /// <summary>The path turns back on itself (turning angle above the reversal angle): a cusp.</summary>
    DirectionReversal = 2,
}

/// <summary>A checkpoint where the trajectory turns sharply or reverses: a candidate developmental transition.</summary>
/// <param name="Index">Checkpoint index.</param>
/// <param name="Step">Checkpoint step.</param>
/// <param name="Curvature">Signed curvature κ there.</param>
/// <param name="TurningAngleDegrees">Turning angle there.</param>
/// <param name="Kind">Which criteria flagged it.</param>
public sealed record TransitionCandidate(int Index, long Step, double Curvature, double TurningAngleDegrees, TransitionKind Kind);
