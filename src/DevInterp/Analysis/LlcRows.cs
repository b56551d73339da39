using DevInterp.Llc;
using DevInterp.Storage;

namespace DevInterp.Analysis;

/// <summary>llc rows that are not built from a finished estimate.</summary>
public static class LlcRows
{
    /// <summary>The row of a failed estimate at the settings' γ (or the single-checkpoint default).</summary>
    public static LlcRow Failed(long step, LlcSettings settings, double stepSize, string stepSizeSource, string error, double elapsedSeconds) =>
        Failed(step, settings, stepSize, settings?.Localization ?? LlcSettings.DefaultLocalization, stepSizeSource, error, elapsedSeconds);

    /// <summary>The row of a checkpoint whose estimation failed: NaN estimates, verdict untrusted, the error as the reason.</summary>
    public static LlcRow Failed(long step, LlcSettings settings, double stepSize, double localization, string stepSizeSource, string error, double elapsedSeconds) =>
        new(step, double.NaN, double.NaN, [], double.NaN, settings.NBeta ?? double.NaN, stepSize, stepSizeSource,
            localization, 0, 0, 0, 0, settings.Chains, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN,
            0, LlcVerdict.Untrusted, "estimation failed: " + error.Replace('\r', ' ').Replace('\n', ' '),
            LlcSettings.ParseSampler(settings.Sampler), settings.Seed, elapsedSeconds);
}
