using DevInterp.Llc.Potentials;
using TorchSharp;

namespace DevInterp.Llc.Validation;

/// <summary>
/// Models whose true learning coefficient is known, each estimated at the true parameter: full-rank linear
/// regression (λ = d/2), normal crossings y = w₁ᵃw₂ᵇx at w = 0 (λ = 1/(2·max(a, b))), reduced-rank regression and deep
/// linear networks at a rank-r teacher (λ from <see cref="AoyagiFormula"/>). The noise of each data set is made
/// orthogonal to the inputs' span, so the true parameter is an exact minimum of the empirical loss: the check is not
/// biased by the offset between the teacher and the empirical minimum.
/// </summary>
public static class LlcValidationSuite
{
    /// <summary>Training-set size of every case (n ≥ 10⁴ keeps 1/ln n small).</summary>
    public const int SampleCount = 10_000;

    /// <summary>Observation noise σ.</summary>
    public const double Noise = 1.0;

    /// <summary>The full suite; <paramref name="fast"/> keeps the quick cases used by the tests.</summary>
    public static IReadOnlyList<ValidationCase> Cases(bool fast = false)
    {
        var cases = new List<ValidationCase>
        {
            Regression(10),
            NormalCrossing(1, 2),
            DeepLinear("rrr-6-4-6-r2", [6, 4, 6], 2),
            DeepLinear("dln-10-8-8-10-r2", [10, 8, 8, 10], 2),
        };
        if (fast) return cases;
        cases.AddRange(
        [
            Regression(50),
            NormalCrossing(2, 3),
            NormalCrossing(1, 3),
            DeepLinear("dln-12-10-8-6-12-r3", [12, 10, 8, 6, 12], 3),
            DeepLinear("dln-50-40-30-20-50-r5", [50, 40, 30, 20, 50], 5),
            DeepLinear("dln-40-40-30-30-20-40-r4", [40, 40, 30, 30, 20, 40], 4),
        ]);
        return cases;
    }

    /// <summary>Full-rank linear regression with d inputs and one output: λ = d/2.</summary>
    public static ValidationCase Regression(int d) => new($"regression-d{d}", d / 2.0,
        $"linear regression y = w·x + N(0, 1), {d} inputs, full rank (regular: λ = d/2)",
        seed => BuildLinear(new LinearChainModel(d, 1), seed, gen => new Dictionary<string, torch.Tensor>
        {
            ["weight"] = torch.randn([1, d], dtype: torch.ScalarType.Float64, generator: gen),
        }, d, 1),
        q => RegressionTarget.Compute(q.Problem.Data.Inputs, 1, Noise, q.NBeta, q.Localization));

    /// <summary>Normal crossing y = w₁ᵃ·w₂ᵇ·x at w = 0: λ = 1/(2·max(a, b)).</summary>
    public static ValidationCase NormalCrossing(int a, int b) => new($"normal-crossing-{a}-{b}", 1.0 / (2 * Math.Max(a, b)),
        $"y = w1^{a} w2^{b} x + N(0, 1) at w = 0 (λ = 1/(2·max(a, b)))",
        seed => BuildLinear(new NormalCrossingChainModel(a, b), seed, _ => new Dictionary<string, torch.Tensor>
        {
            ["w1"] = torch.zeros([1], dtype: torch.ScalarType.Float64),
            ["w2"] = torch.zeros([1], dtype: torch.ScalarType.Float64),
        }, 1, 1),
        q =>
        {
            using var square = q.Problem.Data.Inputs.square().mean();
            return NormalCrossingTarget.Compute(a, b, square.item<double>(), Noise, q.NBeta, q.Localization);
        });

    /// <summary>A deep linear network (reduced-rank regression for one hidden layer) at a rank-r teacher.</summary>
    public static ValidationCase DeepLinear(string name, int[] widths, int rank)
    {
        long parameters = Enumerable.Range(0, widths.Length - 1).Sum(i => (long)widths[i] * widths[i + 1]);
        return new(name, AoyagiFormula.LearningCoefficient(widths, rank),
            $"deep linear network [{string.Join(", ", widths)}] ({parameters} parameters) at a rank-{rank} teacher (Aoyagi 2024)",
            seed => BuildLinear(new DeepLinearChainModel(widths), seed, gen => RankTeacher(widths, rank, gen), widths[0], widths[^1]),
            q => ReferenceTargets.Find(name, q.Seed, q.NBeta, q.Localization));
    }

    /// <summary>
    /// A balanced rank-r teacher: W_i = Q_{i+1}·Q_iᵀ with Q_i random orthonormal [H_i, r] frames, so every layer has rank
    /// exactly r with all its non-zero singular values 1, and the end-to-end map is a rank-r partial isometry. Equal
    /// singular values keep the loss well conditioned around the teacher, so chains mix in few steps; the learning
    /// coefficient depends only on the widths and r.
    /// </summary>
    public static Dictionary<string, torch.Tensor> RankTeacher(int[] widths, int rank, torch.Generator gen)
    {
        var frames = widths.Select(h => rank == 0
            ? torch.zeros([h, 0], dtype: torch.ScalarType.Float64)
            : torch.linalg.qr(torch.randn([h, rank], dtype: torch.ScalarType.Float64, generator: gen)).Q).ToArray();
        var layers = new Dictionary<string, torch.Tensor>();
        for (int i = 0; i + 1 < widths.Length; i++)
            layers[$"layers.{i}.weight"] = torch.matmul(frames[i + 1], frames[i].T);
        return layers;
    }

    private static ValidationProblem BuildLinear(IChainModel model, long seed,
        Func<torch.Generator, Dictionary<string, torch.Tensor>> truth, int inputs, int outputs)
    {
        using var scope = torch.NewDisposeScope();
        using var gen = new torch.Generator((ulong)(seed * 7919 + 17));
        var center = truth(gen);
        var x = torch.randn([SampleCount, inputs], dtype: torch.ScalarType.Float64, generator: gen);
        var noise = torch.randn([SampleCount, outputs], dtype: torch.ScalarType.Float64, generator: gen) * Noise;
        // Remove the noise's component in the span of the inputs: the least-squares fit of any linear map is then the
        // teacher itself, so the true parameter is an exact empirical minimum.
        var q = torch.linalg.qr(x).Q;
        noise = noise - torch.matmul(q, torch.matmul(q.T, noise));
        var parameters = model.ParameterShapes.Select(p => center[p.Name].unsqueeze(0)).ToList();
        var clean = model.Forward(parameters, x.unsqueeze(0))[0];
        var y = clean + noise;
        var kept = center.ToDictionary(kv => kv.Key, kv => kv.Value.MoveToOuterDisposeScope().DetachFromDisposeScope());
        return new ValidationProblem(model, kept,
            new SupervisedData(x.MoveToOuterDisposeScope().DetachFromDisposeScope(), y.MoveToOuterDisposeScope().DetachFromDisposeScope()),
            new GaussianNllLoss(Noise));
    }

    /// <summary>
    /// Runs one case with the given options (no per-case tuning). Full-batch options (no batch size, or one ≥ n) run on
    /// <see cref="ValidationProblem.FullBatchPotential"/>; a smaller batch size runs minibatches over the data.
    /// </summary>
    public static ValidationOutcome Run(ValidationCase validationCase, LlcOptions options, long seed = 1,
        IProgress<LlcProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(validationCase);
        ArgumentNullException.ThrowIfNull(options);
        using var problem = validationCase.Build(seed);
        bool minibatch = options.BatchSize is { } b && b < SampleCount;
        using var potential = minibatch ? problem.Potential() : problem.FullBatchPotential();
        var result = new LlcEstimator(options).Estimate(potential, progress, cancel);
        var target = validationCase.Target?.Invoke(new TargetQuery(problem, seed, result.NBeta, result.Localization));
        return new ValidationOutcome(validationCase.Name, validationCase.TrueLambda, result, target);
    }
}
