using DevInterp.Storage;

namespace DevInterp.Analysis;

/// <summary>Which checkpoints of an analysis have finished their LLC, whichever process or shard did the work.</summary>
public static class LlcCompletion
{
    /// <summary>
    /// Steps with an llc row, or recorded in <c>checkpoints</c> as failed (an unreadable checkpoint never gets an llc
    /// row, and estimating it again would fail the same way).
    /// </summary>
    public static (HashSet<long> Finished, HashSet<long> Failed) Steps(AnalysisStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var done = store.Read<LlcRow>().Select(r => r.Step).ToHashSet();
        var failed = store.State(CheckpointRow.Schema.Name) == TableState.Absent
            ? []
            : store.Read<CheckpointRow>().Where(r => r.Status == CheckpointStatus.Failed).Select(r => r.Step).Where(s => !done.Contains(s)).ToHashSet();
        done.UnionWith(failed);
        return (done, failed);
    }
}
