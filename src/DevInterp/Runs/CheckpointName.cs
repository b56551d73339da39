using System.Globalization;
using System.Text.RegularExpressions;

namespace DevInterp.Runs;

/// <summary>Reads a training step or epoch from a checkpoint's file or folder name.</summary>
public static partial class CheckpointName
{
    /// <summary>Extensions of files that can hold a checkpoint.</summary>
    public static readonly IReadOnlySet<string> CheckpointExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".safetensors", ".pt", ".pth", ".bin", ".dat", ".ckpt", ".tar" };

    // step_000100, step-100, step100, global_step100, iter_100, iteration-100, checkpoint-100, ckpt_100, and
    // PyTorch Lightning's epoch=3-step=1200 (its ModelCheckpoint joins name and value with '=')
    [GeneratedRegex(@"(?:^|[^a-z])(?:global_?step|step|iter|iteration|checkpoint|ckpt)[_\-.=]?(\d{1,18})(?!\d)", RegexOptions.IgnoreCase)]
    private static partial Regex StepPattern();

    [GeneratedRegex(@"(?:^|[^a-z])epoch[_\-.=]?(\d{1,18}|init)(?![a-z\d])", RegexOptions.IgnoreCase)]
    private static partial Regex EpochPattern();

    [GeneratedRegex(@"^(\d{1,18})$")]
    private static partial Regex BareNumberPattern();

    // val_loss=0.37 in Lightning's auto-inserted names (epoch=2-val_loss=0.37.ckpt)
    [GeneratedRegex(@"(?:^|[^A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_]*)=(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?![\d.])")]
    private static partial Regex NamedValuePattern();

    /// <summary>
    /// The step or epoch a name carries: <c>step_000100.safetensors</c>, <c>step-100.pt</c>, <c>checkpoint-100</c>,
    /// <c>epoch_12.pth</c>, <c>epoch_init.pt</c> (epoch 0), <c>1200.pth</c>, Lightning's <c>epoch=3-step=1200.ckpt</c>
    /// (the step wins over the epoch). Null when the name carries none.
    /// </summary>
    public static (long Value, StepUnit Unit)? Parse(string fileOrFolderName)
    {
        string stem = StripExtension(fileOrFolderName);
        var step = StepPattern().Match(stem);
        if (step.Success && long.TryParse(step.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out long s))
            return (s, StepUnit.Step);
        var epoch = EpochPattern().Match(stem);
        if (epoch.Success)
        {
            string v = epoch.Groups[1].Value;
            if (v.Equals("init", StringComparison.OrdinalIgnoreCase)) return (0, StepUnit.Epoch);
            if (long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out long e)) return (e, StepUnit.Epoch);
        }
        var bare = BareNumberPattern().Match(stem);
        if (bare.Success && long.TryParse(bare.Value, NumberStyles.None, CultureInfo.InvariantCulture, out long b))
            return (b, StepUnit.Step);
        return null;
    }

    /// <summary>True when the name is a bare number (<c>1200.pth</c>), which does not say whether it counts steps or epochs.</summary>
    public static bool IsBareNumber(string fileOrFolderName) => BareNumberPattern().IsMatch(StripExtension(fileOrFolderName));

    /// <summary>
    /// Values a name records besides its position, as PyTorch Lightning writes them (<c>epoch=2-val_loss=0.37.ckpt</c>
    /// gives val_loss = 0.37); the step and epoch themselves are not included.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Values(string fileOrFolderName)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (Match m in NamedValuePattern().Matches(StripExtension(fileOrFolderName)))
        {
            string name = m.Groups[1].Value;
            if (name.Equals("epoch", StringComparison.OrdinalIgnoreCase) || name.Contains("step", StringComparison.OrdinalIgnoreCase)) continue;
            if (double.TryParse(m.Groups[2].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) values[name] = v;
        }
        return values;
    }

    /// <summary>The name without its checkpoint extension (other dots are kept: <c>step_1.0</c> stays).</summary>
    public static string StripExtension(string name)
    {
        string ext = System.IO.Path.GetExtension(name);
        return CheckpointExtensions.Contains(ext) ? name[..^ext.Length] : name;
    }
}
