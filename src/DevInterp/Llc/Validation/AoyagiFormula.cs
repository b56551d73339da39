namespace DevInterp.Llc.Validation;

/// <summary>
/// The learning coefficient of a deep linear network (reduced-rank regression when there is one hidden layer) at a
/// true parameter of rank r, from Aoyagi (2024), "Consideration on the learning efficiency of multiple-layered neural
/// networks with linear units". With input width H₀ and layer output widths H₁…H_L, let M_i = H_i − r (i = 0…L). Take
/// the smallest k ≥ 2 such that the k smallest M's, S, satisfy max(S) &lt; min(rest), sum(S) ≥ ℓ·max(S) and
/// sum(S) &lt; ℓ·min(rest), with ℓ = k − 1 (the conditions on rest apply only when rest is non-empty). With
/// M̄ = ⌈sum(S)/ℓ⌉ and a = sum(S) − (M̄ − 1)·ℓ:
/// λ = (r(H₀ + H_L) − r²)/2 + a(ℓ − a)/(4ℓ) − ℓ(ℓ − 1)/4 · (sum(S)/ℓ)² + ½ Σ_{i&lt;j∈S} M_i M_j.
/// </summary>
public static class AoyagiFormula
{
    /// <summary>λ for widths [H₀, H₁, …, H_L] and true rank r.</summary>
    /// <exception cref="ArgumentException">Fewer than two widths, a non-positive width, or r larger than the narrowest width.</exception>
    public static double LearningCoefficient(IReadOnlyList<int> widths, int rank)
    {
        if (widths.Count < 2) throw new ArgumentException("need at least an input and an output width", nameof(widths));
        if (widths.Any(h => h <= 0)) throw new ArgumentException("widths must be positive", nameof(widths));
        if (rank < 0 || rank > widths.Min())
            throw new ArgumentException($"rank {rank} must lie in [0, {widths.Min()}] (the narrowest width)", nameof(rank));

        var m = widths.Select(h => (long)(h - rank)).Order().ToArray();
        int count = m.Length;
        for (int k = 2; k <= count; k++)
        {
            int ell = k - 1;
            long maxS = m[k - 1];
            long sumS = 0;
            for (int i = 0; i < k; i++) sumS += m[i];
            bool hasRest = k < count;
            long minRest = hasRest ? m[k] : long.MaxValue;
            if (hasRest && !(maxS < minRest)) continue;
            if (sumS < ell * maxS) continue;
            if (hasRest && !(sumS < ell * minRest)) continue;

            long mBar = (sumS + ell - 1) / ell; // ⌈sum(S)/ℓ⌉ for non-negative sums
            long a = sumS - (mBar - 1) * ell;
            double pairSum = 0;
            for (int i = 0; i < k; i++)
                for (int j = i + 1; j < k; j++) pairSum += (double)m[i] * m[j];
            double mean = (double)sumS / ell;
            double regular = (rank * (double)(widths[0] + widths[^1]) - (double)rank * rank) / 2;
            return regular + a * (double)(ell - a) / (4.0 * ell) - ell * (ell - 1) / 4.0 * mean * mean + pairSum / 2;
        }
        throw new ArgumentException($"no k satisfies Aoyagi's conditions for widths [{string.Join(", ", widths)}], rank {rank}");
    }
}
