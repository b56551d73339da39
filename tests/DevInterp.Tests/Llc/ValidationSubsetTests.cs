using DevInterp.Llc;
using DevInterp.Llc.Validation;
using Xunit.Abstractions;

namespace DevInterp.Tests.Llc;

/// <summary>
/// The fast subset of the validation suite (docs/llc.md, "Validation"): estimate vs the known learning coefficient at
/// the step size the calibration chose for each case in the full run (the calibration itself is tested elsewhere and
/// takes minutes per case). Full-suite results, all cases: docs/llc.md.
/// </summary>
[Collection(GlobalTorchState.Name)]
public class ValidationSubsetTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("regression-d10", 0.00291, 0.05)]   // λ = 5: full suite 5.023 (0.5 %)
    [InlineData("normal-crossing-1-2", 0.00291, 0.15)] // λ = 1/4: full suite 0.2461 (1.6 %)
    [InlineData("rrr-6-4-6-r2", 0.000291, 0.10)]   // λ = 13.5 (Aoyagi): full suite 13.09 (3.0 %)
    public void EstimateIsCloseToTheKnownLearningCoefficient(string name, double stepSize, double tolerance)
    {
        var validationCase = LlcValidationSuite.Cases(fast: true).Single(c => c.Name == name);

        var outcome = LlcValidationSuite.Run(validationCase, new LlcOptions(StepSize: stepSize));

        output.WriteLine($"{name}: λ = {outcome.TrueLambda:G4}, λ̂ = {outcome.Result.Mean:G4} ± {outcome.Result.Std:G3} ({outcome.RelativeError:P1}), {outcome.Result.Diagnostics.Verdict}");
        Assert.True(outcome.RelativeError < tolerance, $"{name}: λ̂ = {outcome.Result.Mean:G4}, λ = {outcome.TrueLambda:G4}, relative error {outcome.RelativeError:P1} ≥ {tolerance:P0}");
        Assert.Equal(LlcVerdict.Trusted, outcome.Result.Diagnostics.Verdict);
    }

    [Fact]
    public void AoyagiValuesOfTheSuiteCases()
    {
        // Hand-computed from the formula in docs/llc.md (e.g. [10, 8, 8, 10], r = 2: M = 8, 6, 6, 8, all four in S,
        // ℓ = 3, M̄ = 10, a = 1: 18 + 1/6 − 392/3 + 146 = 33.5).
        var truth = LlcValidationSuite.Cases().ToDictionary(c => c.Name, c => c.TrueLambda);
        Assert.Equal(33.5, truth["dln-10-8-8-10-r2"], 9);
        Assert.Equal(5.0, truth["regression-d10"], 12);
        Assert.Equal(1.0 / 6, truth["normal-crossing-2-3"], 12);
    }
}
