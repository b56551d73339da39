namespace DevInterp.Llc.Validation;

/// <summary>
/// The value an LLC estimator converges to for a validation case at given nβ and γ: nβ·E[L_n(w) − L_n(w*)] under the
/// localized tempered posterior exp(−nβ·L_n(w) − γ/2·‖w − w*‖²), computed without the estimator's sampler.
/// </summary>
/// <param name="Value">The target.</param>
/// <param name="Uncertainty">Its standard error (0 for a closed form; the quadrature's or reference chains' error otherwise).</param>
/// <param name="Method">How it was computed, in words (closed form, quadrature, reference chains).</param>
public sealed record ExactTarget(double Value, double Uncertainty, string Method);

/// <summary>What a case's target depends on.</summary>
/// <param name="Problem">The built problem (data and w*).</param>
/// <param name="Seed">The seed the problem was built with.</param>
/// <param name="NBeta">nβ.</param>
/// <param name="Localization">γ.</param>
public sealed record TargetQuery(ValidationProblem Problem, long Seed, double NBeta, double Localization);
