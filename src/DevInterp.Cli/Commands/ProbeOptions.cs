using System.CommandLine;
using DevInterp.Analysis;

namespace DevInterp.Cli.Commands;

/// <summary>
/// The probe-batch options <c>similarity</c> and <c>dynamics</c> share (both read the same per-checkpoint activation
/// cache, captured on one probe batch): how many inputs, drawn with which seed, from the task or from a file.
/// </summary>
internal sealed class ProbeOptions
{
    public Option<int?> Count { get; } = new("--probe-count") { Description = "Probe inputs (at most; fewer when the source has fewer), default 256" };
    public Option<long?> Seed { get; } = new("--probe-seed") { Description = "Seed of the probe draw, default 0" };
    public Option<string?> Source { get; } = new("--probe") { Description = "train (default: --probe-count rows of the training inputs), all-train, all-test, all-inputs (every input of a finite task, e.g. all p² pairs of modular arithmetic), or a data file of inputs" };
    public Option<string?> File { get; } = new("--probe-file") { Description = "Probe inputs from a data file (safetensors, .pt/.pkl, .npy, .npz, CSV, text, Arrow) instead of the task's training inputs" };
    public Option<string?> Tensor { get; } = new("--probe-tensor") { Description = "Array or column name(s), comma-separated, inside the probe file (when it holds several)" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Source, Count, Seed, File, Tensor }) command.Options.Add(option);
    }

    /// <summary>True when any probe option was given.</summary>
    public bool Given(ParseResult parse) =>
        parse.GetValue(Source) is not null || parse.GetValue(Count) is not null || parse.GetValue(Seed) is not null ||
        parse.GetValue(File) is not null || parse.GetValue(Tensor) is not null;

    /// <summary>The similarity settings with the given probe options applied.</summary>
    public SimilaritySettings Apply(ParseResult parse, SimilaritySettings settings)
    {
        if (parse.GetValue(Count) is { } count)
            settings = settings with { ProbeCount = count >= 1 ? count : throw new UsageException($"--probe-count: expected at least 1, got {count}") };
        if (parse.GetValue(Seed) is { } seed) settings = settings with { ProbeSeed = seed };
        string? file = parse.GetValue(File);
        if (parse.GetValue(Source) is { } source)
        {
            if (SimilaritySettings.ProbeSources.Contains(source))
                settings = settings with { Probe = source == "train" ? null : source, ProbeFile = null, ProbeTensor = null };
            else if (file is not null)
                throw new UsageException($"--probe {source}: give the probe file once, with --probe or --probe-file");
            else if (System.IO.File.Exists(source)) file = source;
            else
                throw new UsageException($"--probe {source}: neither one of {string.Join(", ", SimilaritySettings.ProbeSources)} nor an existing data file");
        }
        if (file is not null)
        {
            if (!System.IO.File.Exists(file)) throw new FileNotFoundException($"--probe-file: {file}: no such file", file);
            settings = settings with { ProbeFile = Path.GetFullPath(file), Probe = null };
        }
        if (parse.GetValue(Tensor) is { } tensor)
        {
            if (file is null) throw new UsageException("--probe-tensor needs --probe-file (or --probe FILE)");
            settings = settings with { ProbeTensor = tensor };
        }
        return settings;
    }

    /// <summary>The similarity settings analysis.json in <paramref name="folder"/> records, or null for a new analysis.</summary>
    public static SimilaritySettings? Stored(string folder)
    {
        string path = Path.Combine(folder, AnalysisConfig.FileName);
        return System.IO.File.Exists(path) ? AnalysisConfig.Load(path).Similarity : null;
    }
}
