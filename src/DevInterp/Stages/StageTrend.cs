namespace DevInterp.Stages;

/// <summary>Direction of a curve over a stage.</summary>
public enum StageTrend
{
    /// <summary>The curve increases (for the LLC: the model grows more complex, Hoogland et al.'s type A).</summary>
    Rising,
    /// <summary>The curve decreases (for the LLC: the model simplifies, type B).</summary>
    Falling,
    /// <summary>The curve changes by less than the flat threshold.</summary>
    Flat,
}
