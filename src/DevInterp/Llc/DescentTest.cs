using DevInterp.Llc.Potentials;
using TorchSharp;

namespace DevInterp.Llc;

/// <summary>
/// A short descent from w*: gradient steps on the full-batch loss with an Armijo backtracking line search. How far the
/// loss falls says whether w* behaves as a local minimum at the posterior's temperature (docs/llc.md, "What a number
/// means at each checkpoint").
/// </summary>
public static class DescentTest
{
    /// <summary>L(w*) − L after <paramref name="steps"/> descent steps from w* (≥ 0; 0 when no step lowers the loss).</summary>
    public static double Drop(IChainPotential potential, int steps = 20)
    {
        ArgumentNullException.ThrowIfNull(potential);
        using var scope = torch.NewDisposeScope();
        var w = potential.Center.unsqueeze(0).clone();
        var g = torch.zeros_like(w);
        double start = Value(potential.Loss(w, null, g));
        double current = start, eta = double.NaN;
        for (int k = 0; k < steps; k++)
        {
            using var inner = torch.NewDisposeScope();
            double g2 = g.to_type(torch.ScalarType.Float64).square().sum().item<double>();
            if (!(g2 > 0) || !double.IsFinite(g2)) break;
            if (double.IsNaN(eta)) eta = 1.0 / Math.Sqrt(g2); // first trial: a unit-length step
            bool accepted = false;
            for (int halvings = 0; halvings < 40 && !accepted; halvings++)
            {
                var trial = w - g * eta;
                var trialGradient = torch.zeros_like(w);
                double value = Value(potential.Loss(trial, null, trialGradient));
                if (double.IsFinite(value) && value <= current - 0.5 * eta * g2)
                {
                    w.copy_(trial);
                    g.copy_(trialGradient);
                    current = value;
                    accepted = true;
                    eta *= 2; // try a longer step next time
                }
                else eta /= 2;
            }
            if (!accepted) break;
        }
        return Math.Max(0, start - current);
    }

    private static double Value(torch.Tensor loss) => loss.to_type(torch.ScalarType.Float64).item<double>();
}
