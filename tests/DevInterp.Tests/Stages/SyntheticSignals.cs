namespace DevInterp.Tests.Stages;

/// <summary>Piecewise-constant test signals with known breakpoints and seeded Gaussian noise.</summary>
internal static class SyntheticSignals
{
    public static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>
    /// T × d signal whose mean is constant on each segment of <paramref name="breakpoints"/> (ruptures convention,
    /// last = T). Consecutive segment means differ by <paramref name="jump"/> in every column, with a random sign;
    /// the noise has standard deviation <paramref name="sigma"/>.
    /// </summary>
    public static double[,] PiecewiseConstant(int[] breakpoints, int dimension, double jump, double sigma, int seed)
    {
        var rng = new Random(seed);
        int length = breakpoints[^1];
        var signal = new double[length, dimension];
        var level = new double[dimension];
        for (int j = 0; j < dimension; j++) level[j] = 10 * rng.NextDouble() - 5;
        int start = 0;
        foreach (int end in breakpoints)
        {
            for (int t = start; t < end; t++)
                for (int j = 0; j < dimension; j++) signal[t, j] = level[j] + sigma * Gaussian(rng);
            for (int j = 0; j < dimension; j++) level[j] += (rng.Next(2) == 0 ? -1 : 1) * jump * (0.8 + 0.4 * rng.NextDouble());
            start = end;
        }
        return signal;
    }

    public static double[,] Noise(int length, int dimension, int seed) =>
        PiecewiseConstant([length], dimension, 0, 1, seed);
}
