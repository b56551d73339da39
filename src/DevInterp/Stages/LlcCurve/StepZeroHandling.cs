namespace DevInterp.Stages.LlcCurve;

/// <summary>How step 0 (the initialisation checkpoint) enters the log-step axis.</summary>
public enum StepZeroHandling
{
    /// <summary>x = ln(step + 1): step 0 maps to 0 and is kept; for steps ≫ 1 this is ln(step). The default.</summary>
    ShiftByOne,
    /// <summary>x = ln(step), and a checkpoint at step 0 is dropped.</summary>
    Drop,
}
