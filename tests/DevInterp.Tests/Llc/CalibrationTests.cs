using DevInterp.Llc;
using DevInterp.Llc.Validation;

namespace DevInterp.Tests.Llc;

/// <summary>
/// The calibration of a Metropolis-adjusted sampler chooses a step size whose acceptance is in the band, whose chains
/// pass the diagnostics and whose estimate agrees with its neighbours; every point says why it fails or disagrees.
/// </summary>
[Collection(GlobalTorchState.Name)]
public class CalibrationTests
{
    [Fact]
    public void MalaCalibrationChoosesAPassingAgreeingPointInTheAcceptanceBand()
    {
        var validationCase = LlcValidationSuite.Cases().Single(c => c.Name == "regression-d10");
        using var problem = validationCase.Build(1);
        using var potential = problem.FullBatchPotential();
        var options = CalibrationOptions.For(new LlcOptions());

        var result = new LlcCalibrator(options).Calibrate(potential);

        Assert.True(result.Confident, result.Reason);
        var chosen = result.ChosenPoint;
        Assert.True(chosen.Passing && chosen.Stable);
        Assert.InRange(chosen.Acceptance, options.AcceptanceLow, options.AcceptanceHigh);
        Assert.Empty(chosen.Reasons);
        // The sweep went upwards until the acceptance fell below the band, so the chosen point has a larger neighbour.
        Assert.Contains(result.Grid, p => p.StepSize > chosen.StepSize && p.Acceptance < options.AcceptanceLow);
        Assert.All(result.Grid.Where(p => !p.Passing || !p.Stable), p => Assert.NotEmpty(p.Reasons));
        // The regression's estimate does not depend on ε at equilibrium: the in-band points agree with the closed form.
        var target = validationCase.Target!(new TargetQuery(problem, 1, chosen.NBeta, chosen.Localization))!.Value;
        Assert.True(Math.Abs(chosen.Mean - target) < 4 * chosen.StandardError + 0.02 * target, $"{chosen.Mean} vs {target}");
    }

    [Fact]
    public void AFailingOrDisagreeingPointIsNeverChosenWhileAGoodOneExists()
    {
        var validationCase = LlcValidationSuite.Cases().Single(c => c.Name == "regression-d10");
        using var problem = validationCase.Build(1);
        using var potential = problem.FullBatchPotential();
        double nBeta = LlcOptions.DefaultNBeta(potential.SampleCount);
        // Given step sizes: far too small (the chains stay near w*: λ̂ drifts up), then around the band.
        var steps = new[] { 1e-5, 0.3, 0.4, 0.56, 0.75, 1.0, 1.33 }.Select(e => e / nBeta).ToList();
        var result = new LlcCalibrator(CalibrationOptions.For(new LlcOptions()) with { StepSizes = steps }).Calibrate(potential);

        var chosen = result.ChosenPoint;
        Assert.True(chosen.Passing && chosen.Stable, result.Reason);
        Assert.NotEqual(steps[0], chosen.StepSize);
        var first = result.Grid.Single(p => p.StepSize == steps[0]);
        Assert.False(first.Passing);
        Assert.NotEmpty(first.Reasons);
    }
}
