using DevInterp.Llc.Potentials;
using TorchSharp;

namespace DevInterp.Llc.Validation;

/// <summary>A model whose true learning coefficient is known, with the data to estimate it on.</summary>
/// <param name="Name">Case name, e.g. <c>regression-d10</c>.</param>
/// <param name="TrueLambda">The known learning coefficient λ.</param>
/// <param name="Description">What the case is, in words.</param>
/// <param name="Build">Builds the problem (model, data, loss and w*) for a seed.</param>
public sealed record ValidationCase(string Name, double TrueLambda, string Description, Func<long, ValidationProblem> Build);

/// <summary>A built validation problem.</summary>
/// <param name="Model">The batched model.</param>
/// <param name="Center">w*: an exact minimum of the empirical loss at the true parameter.</param>
/// <param name="Data">The training set.</param>
/// <param name="Loss">The loss (the Gaussian negative log-likelihood of the data's noise level).</param>
public sealed record ValidationProblem(IChainModel Model, IReadOnlyDictionary<string, torch.Tensor> Center,
    SupervisedData Data, IChainLoss Loss) : IDisposable
{
    /// <summary>The potential of this problem, for the estimator.</summary>
    public BatchedPotential Potential(string? pattern = null) =>
        new(Model, Center, Data, Loss, pattern, torch.ScalarType.Float64);

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
public sealed record ValidationOutcome(string Name, double TrueLambda, LlcResult Result)
{
    /// <summary>|λ̂ − λ| / λ.</summary>
    public double RelativeError => Math.Abs(Result.Mean - TrueLambda) / TrueLambda;
}
