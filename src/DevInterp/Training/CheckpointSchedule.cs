using System.Text.Json.Nodes;
using DevInterp.Models;

namespace DevInterp.Training;

/// <summary>
/// Which steps get a checkpoint. <c>log</c> (default): <see cref="Count"/> distinct integer steps spaced evenly in
/// log(<see cref="Offset"/> + step) from 0 to the last step — dense early, sparse late, where training dynamics are fast
/// and slow respectively; a larger offset makes the early gaps about even (≈ offset·ln((offset + last)/offset)/(count − 1)
/// steps) before they grow. <c>linear</c>: evenly spaced. <c>explicit</c>: the listed <see cref="Steps"/>. Every schedule includes
/// step 0 (the initialisation) and the last step.
/// </summary>
/// <param name="Kind">log, linear or explicit.</param>
/// <param name="Count">Number of checkpoints for log and linear (capped at steps + 1).</param>
/// <param name="Steps">The steps for explicit schedules.</param>
/// <param name="Offset">For log schedules, the offset s₀ in log(s₀ + step) (1 by default; at least 1).</param>
public sealed record CheckpointSchedule(string Kind = CheckpointSchedule.Log, int Count = 30, IReadOnlyList<long>? Steps = null, long Offset = 1)
{
    /// <summary>Log spacing.</summary>
    public const string Log = "log";

    /// <summary>Even spacing.</summary>
    public const string Linear = "linear";

    /// <summary>Listed steps.</summary>
    public const string Explicit = "explicit";

    private static readonly string[] Kinds = [Log, Linear, Explicit];

    /// <summary>A log schedule of <paramref name="count"/> checkpoints, even in log(<paramref name="offset"/> + step).</summary>
    public static CheckpointSchedule LogSpaced(int count, long offset = 1) => new(Log, count, null, offset);

    /// <summary>A linear schedule of <paramref name="count"/> checkpoints.</summary>
    public static CheckpointSchedule LinearSpaced(int count) => new(Linear, count);

    /// <summary>Checkpoints at exactly these steps (plus 0 and the last step).</summary>
    public static CheckpointSchedule At(params long[] steps) => new(Explicit, steps.Length, steps);

    /// <summary>The checkpoint steps for a run of <paramref name="totalSteps"/> optimizer steps: distinct, ascending, from 0 to totalSteps.</summary>
    public IReadOnlyList<long> Resolve(long totalSteps)
    {
        if (totalSteps < 0) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "steps must be >= 0");
        switch (Kind)
        {
            case Explicit:
                var set = new SortedSet<long>((Steps ?? []).Where(s => s >= 0 && s <= totalSteps)) { 0, totalSteps };
                return [.. set];
            case Linear:
            case Log:
                if (Offset < 1) throw new SpecFormatException(TrainingSettings.SpecName, "schedule.offset", $"expected an integer >= 1, got {Offset}");
                int n = (int)Math.Min(Math.Max(Count, 2), totalSteps + 1);
                if (n == 1) return [0];
                var steps = new long[n];
                for (int k = 0; k < n; k++)
                {
                    double f = (double)k / (n - 1);
                    steps[k] = Kind == Linear
                        ? (long)Math.Round(f * totalSteps)
                        : (long)Math.Round(Offset * Math.Exp(f * Math.Log((totalSteps + (double)Offset) / Offset)) - Offset);
                }
                steps[0] = 0;
                steps[n - 1] = totalSteps;
                // Rounding crowds the dense end; push duplicates forward, then pull back any overshoot from the end.
                for (int k = 1; k < n; k++) steps[k] = Math.Max(steps[k], steps[k - 1] + 1);
                steps[n - 1] = totalSteps;
                for (int k = n - 2; k >= 0; k--) steps[k] = Math.Min(steps[k], steps[k + 1] - 1);
                return steps;
            default:
                throw new SpecFormatException(TrainingSettings.SpecName, "schedule.kind", $"'{Kind}' is not one of {string.Join(", ", Kinds)}");
        }
    }

    internal static CheckpointSchedule Read(JsonObject json)
    {
        var r = new SpecReader(json, TrainingSettings.SpecName, "schedule.");
        string kind = r.OptionalString("kind", Log, Kinds)!;
        var steps = r.OptionalIntArray("steps", 0, 0);
        int count = (int)r.OptionalInt("count", steps?.Count ?? 30, 1, 1_000_000)!.Value;
        bool hasOffset = r.Has("offset");
        long offset = r.OptionalInt("offset", 1, 1, 1L << 40)!.Value;
        r.RejectUnknown();
        if (hasOffset && kind != Log) throw r.Error("offset", $"only log schedules have an offset (kind is '{kind}')");
        if (kind == Explicit && steps is null) throw r.Error("steps", "required for an explicit schedule");
        if (kind != Explicit && steps is not null) throw r.Error("steps", $"only explicit schedules list steps (kind is '{kind}')");
        return new CheckpointSchedule(kind, count, steps, offset);
    }

    /// <summary>The JSON form: {"kind": "log", "count": 30} (with "offset" when not 1) or {"kind": "explicit", "steps": [...]}.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["kind"] = Kind };
        if (Kind == Explicit) json["steps"] = new JsonArray([.. (Steps ?? []).Select(s => (JsonNode)s)]);
        else json["count"] = Count;
        if (Kind == Log && Offset != 1) json["offset"] = Offset;
        return json;
    }
}
