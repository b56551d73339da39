using TorchSharp;

namespace DevInterp.Llc.Validation;

/// <summary>
/// The exact target of linear regression at its least-squares solution: the posterior is Gaussian with precision
/// nβ·H + γI, H = Σxx/σ² the Hessian of L_n, so nβ·E[L_n(w) − L_n(w*)] = ½·Σ_i nβh_i/(nβh_i + γ) over H's
/// eigenvalues h_i (per output: the outputs are independent).
/// </summary>
public static class RegressionTarget
{
    /// <summary>The target for inputs <paramref name="inputs"/> [n, d], <paramref name="outputs"/> outputs and noise σ.</summary>
    public static ExactTarget Compute(torch.Tensor inputs, int outputs, double sigma, double nBeta, double localization)
    {
        using var scope = torch.NewDisposeScope();
        var x = inputs.to_type(torch.ScalarType.Float64);
        var hessian = torch.matmul(x.T, x).div_(x.shape[0] * sigma * sigma);
        var eigenvalues = torch.linalg.eigvalsh(hessian).data<double>().ToArray();
        double perOutput = eigenvalues.Sum(h => 0.5 * nBeta * h / (nBeta * h + localization));
        return new ExactTarget(outputs * perOutput, 0, "closed form (Gaussian posterior)");
    }
}
