namespace DevInterp.Stages.LlcCurve;

/// <summary>Maximal runs of equal trend labels, and the merging of runs that are too short.</summary>
internal static class StageRuns
{
    public readonly record struct Run(int Start, int Length, StageTrend Trend);

    public static List<Run> Of(IReadOnlyList<StageTrend> labels)
    {
        var runs = new List<Run>();
        for (int i = 0; i < labels.Count; i++)
        {
            if (runs.Count > 0 && runs[^1].Trend == labels[i]) runs[^1] = runs[^1] with { Length = runs[^1].Length + 1 };
            else runs.Add(new Run(i, 1, labels[i]));
        }
        return runs;
    }

    /// <summary>
    /// Repeatedly takes the shortest run below <paramref name="minLength"/> (the earliest on ties) and absorbs it: into
    /// both neighbours when they have the same trend (the three become one), otherwise into the longer neighbour
    /// (the earlier one on ties), whose trend the merged run keeps.
    /// </summary>
    public static List<Run> Merge(List<Run> runs, int minLength)
    {
        runs = [.. runs];
        while (runs.Count > 1)
        {
            int shortest = -1;
            for (int k = 0; k < runs.Count; k++)
                if (runs[k].Length < minLength && (shortest < 0 || runs[k].Length < runs[shortest].Length)) shortest = k;
            if (shortest < 0) break;

            bool hasLeft = shortest > 0, hasRight = shortest + 1 < runs.Count;
            if (hasLeft && hasRight && runs[shortest - 1].Trend == runs[shortest + 1].Trend)
            {
                var left = runs[shortest - 1];
                runs[shortest - 1] = left with { Length = left.Length + runs[shortest].Length + runs[shortest + 1].Length };
                runs.RemoveRange(shortest, 2);
            }
            else if (hasLeft && (!hasRight || runs[shortest - 1].Length >= runs[shortest + 1].Length))
            {
                runs[shortest - 1] = runs[shortest - 1] with { Length = runs[shortest - 1].Length + runs[shortest].Length };
                runs.RemoveAt(shortest);
            }
            else
            {
                var right = runs[shortest + 1];
                runs[shortest + 1] = right with { Start = runs[shortest].Start, Length = right.Length + runs[shortest].Length };
                runs.RemoveAt(shortest);
            }
        }
        return runs;
    }
}
