using DevInterp.Llc;
using DevInterp.Llc.Validation;
using Xunit.Abstractions;

namespace DevInterp.Tests.Llc;

/// <summary>
/// The fast subset of the validation suite (docs/llc.md, "Validation"), at both levels: the estimate against the exact
/// value it converges to (closed form, quadrature, reference chains) and against the known learning coefficient. Default
/// settings (MALA, calibrated step size), with fewer draws allowed than the full suite's on the two slow-mixing cases.
/// Full-suite results, all cases: docs/llc.md.
/// </summary>
[Collection(GlobalTorchState.Name)]
public class ValidationSubsetTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("regression-d10", 50_000, 0.03, 0.03)]        // closed form; full suite within 1 %
    [InlineData("normal-crossing-1-2", 10_000, 0.10, 0.10)]   // quadrature; 10,000 draws: about 3 % standard error
    [InlineData("rrr-6-4-6-r2", 10_000, 0.06, 0.06)]          // reference chains 13.43 ± 0.05
    public void EstimateMatchesItsExactTargetAndTheKnownLearningCoefficient(string name, int maxDraws, double targetTolerance, double truthTolerance)
    {
        var validationCase = LlcValidationSuite.Cases(fast: true).Single(c => c.Name == name);

        var outcome = LlcValidationSuite.Run(validationCase, new LlcOptions(MaxDraws: maxDraws));

        var r = outcome.Result;
        output.WriteLine($"{name}: λ = {outcome.TrueLambda:G4}, target {outcome.Target?.Value:G4}, λ̂ = {r.Mean:G4} ± {r.Std:G3}, " +
            $"ε·nβ = {r.StepSize * r.NBeta:G3}, acceptance {r.Diagnostics.Acceptance:P0}, {r.LossTraces[0].Length} draws; {r.Diagnostics.Summary}");
        Assert.NotNull(outcome.Target);
        Assert.True(outcome.TargetRelativeError < targetTolerance, $"{name}: λ̂ = {r.Mean:G4} is {outcome.TargetRelativeError:P1} from its target {outcome.Target!.Value:G4}");
        Assert.True(outcome.RelativeError < truthTolerance, $"{name}: λ̂ = {r.Mean:G4} is {outcome.RelativeError:P1} from λ = {outcome.TrueLambda:G4}");
        Assert.Equal(SamplerKind.Mala, r.Options.Sampler);
        Assert.InRange(r.Diagnostics.Acceptance, 0.2, 0.95);
        Assert.InRange(r.Diagnostics.Dispersion, 0.7, 1.5); // the Gamma(λ, 1) regime: no spikes
    }

    [Fact]
    public void TargetsOfTheSuiteCases()
    {
        // Hand-computed from the formula in docs/llc.md (e.g. [10, 8, 8, 10], r = 2: M = 8, 6, 6, 8, all four in S,
        // ℓ = 3, M̄ = 10, a = 1: 18 + 1/6 − 392/3 + 146 = 33.5).
        var cases = LlcValidationSuite.Cases().ToDictionary(c => c.Name);
        Assert.Equal(33.5, cases["dln-10-8-8-10-r2"].TrueLambda, 9);
        Assert.Equal(5.0, cases["regression-d10"].TrueLambda, 12);
        Assert.Equal(1.0 / 6, cases["normal-crossing-2-3"].TrueLambda, 12);
        // The closed form of regression: each direction ½·nβh/(nβh + γ), just below d/2; the quadrature of the normal
        // crossing (independently checked by integrating w₁ out analytically: 0.24477 at nβ = n/ln n, γ = 0.1, Sxx = 1).
        using var regression = cases["regression-d10"].Build(1);
        var r = cases["regression-d10"].Target!(new TargetQuery(regression, 1, LlcOptions.DefaultNBeta(10_000), 0.1))!;
        Assert.InRange(r.Value, 4.99, 5.0);
        var quadrature = NormalCrossingTarget.Compute(1, 2, 1.0, 1.0, LlcOptions.DefaultNBeta(10_000), 0.1);
        Assert.Equal(0.24477, quadrature.Value, 4);
    }
}
