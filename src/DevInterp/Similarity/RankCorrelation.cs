namespace DevInterp.Similarity;

/// <summary>Spearman rank correlation with average ranks for ties.</summary>
internal static class RankCorrelation
{
    /// <summary>
    /// Pearson correlation of the (tie-averaged) ranks; NaN when either vector is constant. Values within
    /// <paramref name="tieTolerance"/> of each other count as tied, so that quantities equal in exact arithmetic but
    /// computed along different rounding paths (e.g. two RDM entries) do not get arbitrary distinct ranks.
    /// </summary>
    public static double Spearman(double[] a, double[] b, double tieTolerance = 0)
    {
        if (a.Length != b.Length) throw new ArgumentException($"b: expected {a.Length} values like a, got {b.Length}", nameof(b));
        return Pearson(Ranks(a, tieTolerance), Ranks(b, tieTolerance));
    }

    /// <summary>1-based ranks; runs of sorted values whose neighbours differ by at most <paramref name="tieTolerance"/>
    /// share the mean of the ranks they span.</summary>
    public static double[] Ranks(double[] values, double tieTolerance = 0)
    {
        int n = values.Length;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var keys = (double[])values.Clone();
        Array.Sort(keys, order);
        var ranks = new double[n];
        for (int start = 0; start < n;)
        {
            int end = start + 1;
            while (end < n && keys[end] - keys[end - 1] <= tieTolerance) end++;
            double rank = (start + 1 + end) / 2.0; // mean of ranks start+1 .. end
            for (int k = start; k < end; k++) ranks[order[k]] = rank;
            start = end;
        }
        return ranks;
    }

    /// <summary>Pearson correlation of two equally long vectors.</summary>
    public static double Pearson(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double da = a[i] - ma, db = b[i] - mb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        return sab / Math.Sqrt(saa * sbb);
    }
}
