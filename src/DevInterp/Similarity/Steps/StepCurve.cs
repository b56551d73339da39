namespace DevInterp.Similarity.Steps;

/// <summary>One similarity value per checkpoint step, e.g. every checkpoint against the final one.</summary>
/// <param name="Measure">The measure's name, e.g. <c>linear_cka</c>.</param>
/// <param name="Description">What each value compares, e.g. <c>step vs final step 5000</c>.</param>
/// <param name="Steps">The steps, ascending.</param>
/// <param name="Values">The values, aligned with <paramref name="Steps"/>.</param>
public sealed record StepCurve(string Measure, string Description, IReadOnlyList<long> Steps, IReadOnlyList<double> Values);
