using DevInterp.Llc.Potentials;
using TorchSharp;

namespace DevInterp.Llc.Validation;

/// <summary>A model whose true learning coefficient is known, with the data to estimate it on.</summary>
/// <param name="Name">Case name, e.g. <c>regression-d10</c>.</param>
/// <param name="TrueLambda">The known learning coefficient λ.</param>
/// <param name="Description">What the case is, in words.</param>
/// <param name="Build">Builds the problem (model, data, loss and w*) for a seed.</param>
/// <param name="Target">
/// The exact value the estimator converges to for a problem at given nβ and γ (closed form, quadrature or reference
/// chains), or null where it is not known.
/// </param>
public sealed record ValidationCase(string Name, double TrueLambda, string Description, Func<long, ValidationProblem> Build,
    Func<TargetQuery, ExactTarget?>? Target = null);

/// <summary>A built validation problem.</summary>
/// <param name="Model">The batched model.</param>
/// <param name="Center">w*: an exact minimum of the empirical loss at the true parameter.</param>
/// <param name="Data">The training set.</param>
/// <param name="Loss">The loss (the Gaussian negative log-likelihood of the data's noise level).</param>
public sealed record ValidationProblem(IChainModel Model, IReadOnlyDictionary<string, torch.Tensor> Center,
    SupervisedData Data, IChainLoss Loss) : IDisposable
{
    /// <summary>The potential of this problem over its data (forward and backward passes over the samples).</summary>
    public BatchedPotential Potential(string? pattern = null) =>
        new(Model, Center, Data, Loss, pattern, torch.ScalarType.Float64);

    /// <summary>
    /// The potential for full-batch chains: the same L_n from the data's second moments (<see cref="DeepLinearGramPotential"/>,
    /// <see cref="NormalCrossingGramPotential"/>: cost independent of n), else <see cref="Potential"/>.
    /// </summary>
    public IChainPotential FullBatchPotential() => Model switch
    {
        DeepLinearChainModel or LinearChainModel => new DeepLinearGramPotential(Model, Center, Data, Loss),
        NormalCrossingChainModel crossing => new NormalCrossingGramPotential(crossing, Center, Data, Loss),
        _ => Potential(),
    };

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in Center.Values) t.Dispose();
        Data.Inputs.Dispose();
        Data.Targets.Dispose();
    }
}

/// <summary>One validation outcome.</summary>
/// <param name="Name">Case name.</param>
/// <param name="TrueLambda">The known λ.</param>
/// <param name="Result">The estimate.</param>
/// <param name="Target">The exact value the estimator converges to at the estimate's nβ and γ, where known.</param>
public sealed record ValidationOutcome(string Name, double TrueLambda, LlcResult Result, ExactTarget? Target = null)
{
    /// <summary>|λ̂ − λ| / λ.</summary>
    public double RelativeError => Math.Abs(Result.Mean - TrueLambda) / TrueLambda;

    /// <summary>|λ̂ − target| / target: the estimator against what it converges to (NaN without a target).</summary>
    public double TargetRelativeError => Target is { } t ? Math.Abs(Result.Mean - t.Value) / Math.Abs(t.Value) : double.NaN;

    /// <summary>(target − λ) / λ: the posterior's own offset from the asymptotic λ at this nβ and γ (NaN without a target).</summary>
    public double TargetOffset => Target is { } t ? (t.Value - TrueLambda) / TrueLambda : double.NaN;
}
