using DevInterp.Llc.Models;
using DevInterp.Llc.Potentials;
using DevInterp.Llc.Validation;
using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Tests.Llc;

/// <summary>
/// The hand-written gradients of the built-in models and losses (<see cref="IAnalyticChainModel"/>,
/// <see cref="IAnalyticChainLoss"/>) equal autograd's: a <see cref="BatchedPotential"/> gives the same losses and
/// gradients (1e-10, float64) as the same potential with the loss wrapped so that autograd must be used, for every
/// model × loss, on minibatches and the full batch, with all parameters and with only some sampled.
/// </summary>
public class AnalyticGradientTests
{
    private const long N = 40;
    private const long Chains = 3;

    private static readonly Dictionary<string, IChainModel> Models = new()
    {
        ["mlp-relu-bias"] = ChainModels.For(ChainModelSpecs.All["mlp-relu-bias"])!,
        ["mlp-tanh-nobias"] = ChainModels.For(ChainModelSpecs.All["mlp-tanh-nobias"])!,
        ["mlp-gelu-contiguous"] = ChainModels.For(ChainModelSpecs.All["mlp-gelu-contiguous"])!,
        ["dln"] = ChainModels.For(ChainModelSpecs.All["dln"])!,
        ["tms"] = ChainModels.For(ChainModelSpecs.All["tms"])!,
        ["linear"] = new LinearChainModel(4, 3),
    };

    // Losses by name, for a model with K outputs.
    private static IChainLoss Loss(string name, long outputs) => name switch
    {
        "mse" => new SquaredErrorLoss(),
        "gaussian_nll" => new GaussianNllLoss(0.7),
        "weighted" => new WeightedSquaredErrorLoss(Enumerable.Range(0, (int)outputs).Select(k => 0.5 + k).ToArray()),
        "cross_entropy" => new CrossEntropyChainLoss(),
        "last_position" => new LastPositionCrossEntropyLoss(),
        _ => throw new ArgumentException(name),
    };

    // Parameter patterns: all, the last layer only, the first layer only (back-propagation through every layer), biases.
    private static readonly Dictionary<string, string?[]> Patterns = new()
    {
        ["mlp-relu-bias"] = [null, @"^layers\.4\.", @"^layers\.0\.weight$", @"\.bias$"],
        ["mlp-tanh-nobias"] = [null, @"^layers\.2\.", @"^layers\.0\."],
        ["mlp-gelu-contiguous"] = [null, @"^layers\.2\.", @"^layers\.1\.bias$"],
        ["dln"] = [null, @"^layers\.2\.", @"^layers\.0\."],
        ["tms"] = [null, "^W$", "^b_final$"],
        ["linear"] = [null],
    };

    public static IEnumerable<object[]> Cases() =>
        from model in Models.Keys
        from loss in new[] { "mse", "gaussian_nll", "weighted", "cross_entropy", "last_position" }
        from pattern in Patterns[model]
        from batch in new[] { true, false }
        select new object[] { model, loss, pattern ?? "", batch };

    [Theory]
    [MemberData(nameof(Cases))]
    public void HandWrittenGradientsEqualAutograd(string modelName, string lossName, string pattern, bool minibatch)
    {
        using var scope = NewDisposeScope();
        var model = Models[modelName];
        long inputs = model.ParameterShapes[0].Shape[^1];
        long outputs = modelName switch
        {
            "tms" => inputs,
            _ => model.ParameterShapes.Last(p => p.Shape.Length == 2).Shape[0],
        };
        using var gen = new Generator(17);
        var x = randn([N, inputs], dtype: ScalarType.Float64, generator: gen);
        bool classification = lossName is "cross_entropy" or "last_position";
        var y = classification
            ? randint(outputs, [N], dtype: ScalarType.Int64, generator: gen)
            : randn([N, outputs], dtype: ScalarType.Float64, generator: gen);
        var center = model.ParameterShapes.ToDictionary(p => p.Name, p => 0.6 * randn(p.Shape, dtype: ScalarType.Float64, generator: gen));
        var loss = Loss(lossName, outputs);
        string? regex = pattern == "" ? null : pattern;
        using var analytic = new BatchedPotential(model, center, new SupervisedData(x, y), loss, regex, ScalarType.Float64);
        using var autograd = new BatchedPotential(model, center, new SupervisedData(x, y), new DelegateChainLoss(loss.Name, loss.Compute),
            regex, ScalarType.Float64);
        Assert.True(analytic.AnalyticGradients);
        Assert.False(autograd.AnalyticGradients);

        // Chains away from w* and from each other.
        var weights = analytic.Center.unsqueeze(0) + 0.4 * randn([Chains, analytic.Dimension], dtype: ScalarType.Float64, generator: gen);
        var indices = minibatch ? randint(N, [Chains, 9], dtype: ScalarType.Int64, generator: gen) : null;
        var g1 = zeros_like(weights);
        var g2 = zeros_like(weights);
        var l1 = analytic.Loss(weights, indices, g1);
        var l2 = autograd.Loss(weights, indices, g2);
        var lossOnly = analytic.Loss(weights, indices, null);

        string what = $"{modelName} × {lossName}, pattern '{pattern}', {(minibatch ? "minibatch" : "full batch")}";
        Assert.Equal(0.0, (l1 - lossOnly).abs().max().item<double>()); // the loss is the forward-only loss, bit for bit
        double lossDiff = (l1 - l2).abs().max().item<double>();
        Assert.True(lossDiff <= 1e-12 * Math.Max(1, l2.abs().max().item<double>()), $"{what}: losses differ by {lossDiff:g3}");
        double scale = g2.abs().max().item<double>();
        Assert.True(scale > 1e-3, $"{what}: the gradient is trivially small ({scale:g3})");
        double diff = (g1 - g2).abs().max().item<double>();
        Assert.True(diff <= 1e-10 * Math.Max(1, scale), $"{what}: gradients differ by {diff:g3} (max |gradient| {scale:g3})");
    }

    [Theory]
    [InlineData("cross_entropy")]
    [InlineData("last_position")]
    [InlineData("mse")]
    public void SequenceOutputsGetTheSameGradients(string lossName)
    {
        // An MLP applied to every position of [B, T, in] inputs: outputs [C, B, T, K]; cross-entropy over every position
        // (targets [B, T]) or at the last position only (targets [B]).
        using var scope = NewDisposeScope();
        var model = ChainModels.For(new MlpSpec([3, 5, 4], "relu"))!;
        using var gen = new Generator(5);
        var x = randn([N, 6, 3], dtype: ScalarType.Float64, generator: gen);
        var y = lossName switch
        {
            "cross_entropy" => randint(4, [N, 6], dtype: ScalarType.Int64, generator: gen),
            "last_position" => randint(4, [N], dtype: ScalarType.Int64, generator: gen),
            _ => randn([N, 6, 4], dtype: ScalarType.Float64, generator: gen),
        };
        var center = model.ParameterShapes.ToDictionary(p => p.Name, p => 0.6 * randn(p.Shape, dtype: ScalarType.Float64, generator: gen));
        var loss = Loss(lossName, 4);
        using var analytic = new BatchedPotential(model, center, new SupervisedData(x, y), loss, dtype: ScalarType.Float64);
        using var autograd = new BatchedPotential(model, center, new SupervisedData(x, y), new DelegateChainLoss(loss.Name, loss.Compute),
            dtype: ScalarType.Float64);
        var weights = analytic.Center.unsqueeze(0) + 0.4 * randn([Chains, analytic.Dimension], dtype: ScalarType.Float64, generator: gen);
        var indices = randint(N, [Chains, 7], dtype: ScalarType.Int64, generator: gen);
        var g1 = zeros_like(weights);
        var g2 = zeros_like(weights);
        var l1 = analytic.Loss(weights, indices, g1);
        var l2 = autograd.Loss(weights, indices, g2);
        Assert.True((l1 - l2).abs().max().item<double>() <= 1e-12);
        double scale = g2.abs().max().item<double>();
        Assert.True(scale > 1e-3);
        double diff = (g1 - g2).abs().max().item<double>();
        Assert.True(diff <= 1e-10 * Math.Max(1, scale), $"{lossName}: gradients differ by {diff:g3}");
    }

    [Fact]
    public void TheSameBuffersPassedAgainGiveFreshResults()
    {
        // The potential reuses its views of a weight buffer across calls: values written into the buffer in between
        // must be seen (the views share its memory), and a new buffer object must get views of its own.
        using var scope = NewDisposeScope();
        var model = new LinearChainModel(2, 1);
        var x = tensor(new double[,] { { 1, 0 }, { 0, 1 } });
        var y = tensor(new double[,] { { 0 }, { 0 } });
        var center = new Dictionary<string, TorchSharp.torch.Tensor> { ["weight"] = tensor(new double[,] { { 1, 2 } }) };
        using var potential = new BatchedPotential(model, center, new SupervisedData(x, y), new SquaredErrorLoss(), dtype: ScalarType.Float64);
        var weights = tensor(new double[,] { { 1, 2 } });
        var gradient = zeros_like(weights);
        Assert.Equal(2.5, potential.Loss(weights, null, gradient).item<double>(), 12); // (1² + 2²)/2
        Assert.Equal(new[] { 1.0, 2.0 }, gradient.data<double>().ToArray());           // w (2/2 · x·w)
        weights.mul_(3);
        Assert.Equal(22.5, potential.Loss(weights, null, gradient).item<double>(), 12);
        Assert.Equal(new[] { 3.0, 6.0 }, gradient.data<double>().ToArray());
        var other = tensor(new double[,] { { 0, 1 }, { 2, 0 } });
        var otherGradient = zeros_like(other);
        Assert.Equal(new[] { 0.5, 2.0 }, potential.Loss(other, null, otherGradient).data<double>().ToArray());
        Assert.Equal(new[] { 0.0, 1.0, 2.0, 0.0 }, otherGradient.data<double>().ToArray());
    }

    [Fact]
    public void BuffersDisposedAndReplacedOverManyCallsGetViewsOfTheirOwn()
    {
        // More buffers than the potential keeps views of, some disposed before the next call, one kept throughout.
        using var scope = NewDisposeScope();
        var x = tensor(new double[,] { { 1, 0 }, { 0, 1 } });
        var y = tensor(new double[,] { { 0 }, { 0 } });
        var center = new Dictionary<string, TorchSharp.torch.Tensor> { ["weight"] = tensor(new double[,] { { 1, 2 } }) };
        using var potential = new BatchedPotential(new LinearChainModel(2, 1), center, new SupervisedData(x, y), new SquaredErrorLoss(),
            dtype: ScalarType.Float64);
        var kept = tensor(new double[,] { { 2, 0 } });
        var keptGradient = zeros_like(kept);
        for (int i = 0; i < 12; i++)
        {
            var weights = tensor(new double[,] { { i, 1 } });
            var gradient = zeros_like(weights);
            Assert.Equal((i * i + 1) / 2.0, potential.Loss(weights, null, gradient).item<double>(), 12);
            Assert.Equal(new[] { (double)i, 1.0 }, gradient.data<double>().ToArray());
            if (i % 2 == 0)
            {
                weights.Dispose();
                gradient.Dispose();
            }
            Assert.Equal(2.0, potential.Loss(kept, null, keptGradient).item<double>(), 12);
            Assert.Equal(new[] { 2.0, 0.0 }, keptGradient.data<double>().ToArray());
        }
    }
}
