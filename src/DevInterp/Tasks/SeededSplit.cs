namespace DevInterp.Tasks;

/// <summary>
/// A reproducible train/test split of n samples: a Fisher–Yates shuffle of 0..n−1 driven by <see cref="TaskRng"/>(seed)
/// (for i = n−1 down to 1: j = NextInt(i + 1), swap positions i and j); the first ⌊fraction·n⌋ entries of the shuffled
/// order are the training samples, the rest the test samples. Both sets are returned in ascending sample order, so a
/// split keeps the order of the underlying data.
/// </summary>
public static class SeededSplit
{
    /// <summary>Number of training samples for a fraction: ⌊fraction·n⌋ (computed so that 0.3·10 gives 3, not 2).</summary>
    public static int TrainCount(int n, double fraction) => (int)Math.Floor(fraction * n + 1e-9);

    /// <summary>The training and test sample indices, each ascending.</summary>
    /// <exception cref="ArgumentOutOfRangeException">n below 1 or the fraction outside (0, 1].</exception>
    public static (int[] Train, int[] Test) Split(int n, double fraction, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (!(fraction > 0 && fraction <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "expected a fraction > 0 and <= 1");
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var rng = new TaskRng(seed);
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        int nTrain = TrainCount(n, fraction);
        var train = order[..nTrain];
        var test = order[nTrain..];
        Array.Sort(train);
        Array.Sort(test);
        return (train, test);
    }
}
