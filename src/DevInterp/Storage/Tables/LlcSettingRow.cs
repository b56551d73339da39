namespace DevInterp.Storage;

/// <summary>
/// One row of <c>llc_setting</c>: the one LLC setting an analysis used for every checkpoint, where it came from and why
/// (docs/llc.md, "One setting for a run"). A sharded analysis has one row per shard (each shard finds the same
/// setting: the search is seeded); readers take the first.
/// </summary>
/// <param name="WrittenBy">The shard that wrote the row (empty for an unsharded analysis).</param>
/// <param name="Source"><c>given</c> (ε and γ from the settings), <c>run</c> (the run-level search), <c>run_fallback</c> (the search found no passing γ), or <c>calibrated</c> (the step-size sweep on one checkpoint).</param>
/// <param name="StepSize">ε.</param>
/// <param name="Localization">γ.</param>
/// <param name="Chains">Chains per checkpoint.</param>
/// <param name="Draws">Draws per chain (the first block).</param>
/// <param name="BurnIn">Burn-in steps.</param>
/// <param name="MaxDraws">The most draws per chain the adaptive rule may take (the run's cap).</param>
/// <param name="Confident">False when the setting is a fallback.</param>
/// <param name="Reason">Why this setting, in words.</param>
/// <param name="ProbeSteps">The probe checkpoints, comma-separated (empty when nothing was searched).</param>
/// <param name="SearchSeconds">Wall-clock time of the search.</param>
/// <param name="ChainStepsPerSecond">Sampling rate measured on the probes.</param>
public sealed record LlcSettingRow(string WrittenBy, string Source, double StepSize, double Localization, int Chains, int Draws,
    int BurnIn, int MaxDraws, bool Confident, string Reason, string ProbeSteps, double SearchSeconds, double ChainStepsPerSecond)
    : IStoreRow<LlcSettingRow>
{
    /// <summary>The <c>llc_setting</c> table.</summary>
    public static TableSchema Schema { get; } = new(
        "llc_setting",
        "the LLC setting used for every checkpoint of the analysis, and why (added in DevInterp 0.3.0)",
        "the whole run (key: PartKey.Whole), one row per shard that wrote it",
        [
            ColumnSpec.Utf8("written_by", "the shard that wrote the row (empty for an unsharded analysis)"),
            ColumnSpec.Utf8("source", "`given`, `run` (the run-level search), `run_fallback` (no γ passed at every probe) or `calibrated` (step-size sweep on one checkpoint)"),
            ColumnSpec.Float64("step_size", "ε used at every checkpoint"),
            ColumnSpec.Float64("localization", "γ used at every checkpoint"),
            ColumnSpec.Int64("chains", "chains per checkpoint"),
            ColumnSpec.Int64("draws", "draws per chain of the first block"),
            ColumnSpec.Int64("burn_in", "burn-in steps per chain"),
            ColumnSpec.Int64("max_draws", "most draws per chain the adaptive rule may take (the run's cap)"),
            ColumnSpec.Boolean("confident", "false when the setting is a fallback"),
            ColumnSpec.Utf8("reason", "why this setting, in words"),
            ColumnSpec.Utf8("probe_steps", "the probe checkpoints, comma-separated"),
            ColumnSpec.Float64("search_seconds", "wall-clock time of the search"),
            ColumnSpec.Float64("chain_steps_per_second", "sampling rate measured on the probes (NaN when nothing was searched)"),
        ],
        ["written_by"]);

    /// <inheritdoc />
    public void WriteTo(RowWriter w)
    {
        w.Utf8("written_by", WrittenBy);
        w.Utf8("source", Source);
        w.Float64("step_size", StepSize);
        w.Float64("localization", Localization);
        w.Int64("chains", Chains);
        w.Int64("draws", Draws);
        w.Int64("burn_in", BurnIn);
        w.Int64("max_draws", MaxDraws);
        w.Boolean("confident", Confident);
        w.Utf8("reason", Reason);
        w.Utf8("probe_steps", ProbeSteps);
        w.Float64("search_seconds", SearchSeconds);
        w.Float64("chain_steps_per_second", ChainStepsPerSecond);
    }

    /// <inheritdoc />
    public static LlcSettingRow ReadFrom(RowReader r) => new(
        r.Utf8("written_by"), r.Utf8("source"), r.Float64("step_size"), r.Float64("localization"), r.Int32("chains"),
        r.Int32("draws"), r.Int32("burn_in"), r.Int32("max_draws"), r.Boolean("confident"), r.Utf8("reason"),
        r.Utf8("probe_steps"), r.Float64("search_seconds"), r.Float64("chain_steps_per_second"));
}
