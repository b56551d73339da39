using DevInterp.Analysis;
using DevInterp.Llc;
using DevInterp.Storage;
using DevInterp.Tests.Stages;

namespace DevInterp.Tests.Analysis;

/// <summary>
/// The curves of a grokking run as the issue describes the real one (modular addition, 130 checkpoints over 49,000
/// epochs): memorisation ends and generalisation starts at epoch 1800 (train accuracy reaches 1, test accuracy starts
/// rising, the LLC peaks, the test loss peaks), test accuracy stalls at 0.3 over 2200–5400 and rises again from 5600 to
/// 0.9 at 9000, then climbs to 0.995 and settles from 14600. Checkpoints every 200 epochs to 10,000, then every 500: the
/// change of spacing at 10,000 is not a transition. The losses end at 10⁻³ of their largest value, where the stage
/// analysis floors them. Seeded noise on every curve.
/// </summary>
internal static class SyntheticGrokking
{
    public static readonly long[] Epochs =
        Enumerable.Range(0, 51).Select(i => 200L * i).Concat(Enumerable.Range(1, 78).Select(i => 10_000L + 500 * i)).ToArray();

    /// <summary>The transitions a researcher draws: end of memorisation, second rise, &gt; 0.9 test accuracy, settled.</summary>
    public static readonly long[] Transitions = [1800, 5600, 9000, 14600];

    // Piecewise-linear in the epoch through the knots, constant beyond the last.
    private static double Through(long t, params (long Epoch, double Value)[] knots)
    {
        if (t <= knots[0].Epoch) return knots[0].Value;
        for (int k = 1; k < knots.Length; k++)
            if (t <= knots[k].Epoch)
                return knots[k - 1].Value + (knots[k].Value - knots[k - 1].Value) * (t - knots[k - 1].Epoch) / (knots[k].Epoch - knots[k - 1].Epoch);
        return knots[^1].Value;
    }

    public static double TrainAccuracy(long t) => Through(t, (0, 0.01), (1800, 1.0));

    public static double TestAccuracy(long t) => Through(t, (0, 0.01), (1800, 0.01), (2200, 0.30), (5600, 0.30), (9000, 0.90), (14600, 0.995), (20000, 1.0));

    public static double LnTrainLoss(long t) => Through(t, (0, Math.Log(4.7)), (1800, Math.Log(0.01)), (9000, Math.Log(0.02)), (14600, Math.Log(0.005)));

    public static double LnTestLoss(long t) => Through(t, (0, Math.Log(4.7)), (1800, Math.Log(20)), (2200, Math.Log(8)), (5600, Math.Log(8)), (9000, Math.Log(0.3)), (14600, Math.Log(0.02)));

    public static double Llc(long t) => Through(t, (0, 1.58), (1800, 44), (9000, 20), (14600, 12));

    /// <summary>Writes the checkpoints table (train/test loss and accuracy) and, when asked, a trusted LLC per checkpoint.</summary>
    public static AnalysisStore Write(string folder, bool llc = true, int seed = 1)
    {
        var rng = new Random(seed);
        double Noise(double sigma) => sigma * SyntheticSignals.Gaussian(rng);
        var store = AnalysisStore.Open(folder);
        var template = LlcRows.Failed(0, new LlcSettings(), 1e-4, "given", "synthetic", 0);
        foreach (long t in Epochs)
        {
            var metrics = new Dictionary<string, double>
            {
                ["train_loss"] = Math.Exp(LnTrainLoss(t) + Noise(0.01)),
                ["test_loss"] = Math.Exp(LnTestLoss(t) + Noise(0.01)),
                ["train_accuracy"] = Math.Clamp(TrainAccuracy(t) + Noise(0.002), 0, 1),
                ["test_accuracy"] = Math.Clamp(TestAccuracy(t) + Noise(0.002), 0, 1),
            };
            store.Write(PartKey.ForStep(t), [CheckpointRow.Ok(t, $"epoch_{t}.pt", new string('a', 64), 1000, metrics)]);
            if (llc)
                store.Write(PartKey.ForStep(t), [template with
                {
                    Step = t, Mean = Llc(t) + Noise(0.3), Std = 0.6, Chains = 4, DroppedChains = 0, Verdict = LlcVerdict.Trusted, Reasons = "",
                }]);
        }
        return store;
    }
}
