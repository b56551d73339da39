namespace DevInterp.Storage;

/// <summary>Where a table's rows are, in an analysis folder.</summary>
public enum TableState
{
    /// <summary>No part and no consolidated file.</summary>
    Absent,
    /// <summary>Parts only: not consolidated yet.</summary>
    PartsOnly,
    /// <summary>The consolidated file holds exactly the current parts (or the parts were removed).</summary>
    Consolidated,
    /// <summary>A consolidated file exists but parts were added or rewritten since: readers use the parts.</summary>
    Stale,
}
