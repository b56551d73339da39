using DevInterp.Llc;
using DevInterp.Llc.Models;
using DevInterp.Llc.Potentials;
using DevInterp.Llc.Validation;
using DevInterp.Models;
using DevInterp.Tasks;
using static TorchSharp.torch;

namespace DevInterp.Tests.Llc;

/// <summary>
/// k-hot inputs (one-hot tokens) take the gather path of the linear stacks: the same losses and gradients as the dense
/// products (autograd on the dense rows, float64), for every linear-stack model, with tied and partly sampled weights,
/// full batch and minibatches; rows that are not k-hot keep the dense path.
/// </summary>
public class KHotInputsTests
{
    private const long N = 36;
    private const long Chains = 3;

    public static IEnumerable<object[]> Cases() =>
        from c in new (string Model, int K, string? Pattern)[]
        {
            ("mlp-relu-bias", 1, null), ("mlp-relu-bias", 1, @"^layers\.0\."), ("mlp-relu-bias", 1, @"^layers\.2\."),
            ("mlp-tanh-nobias", 1, null), ("mlp-gelu-contiguous", 1, null), ("dln", 1, null), ("tms", 1, null),
            ("tms", 1, "^W$"), ("pair-mlp", 2, null), ("pair-mlp", 2, @"\.bias$"), ("pair-linear", 2, null),
        }
        from loss in new[] { "cross_entropy", "mse" }
        from minibatch in new[] { false, true }
        select new object[] { c.Model, c.K, c.Pattern ?? "", loss, minibatch };

    private static IChainModel Model(string name) => name switch
    {
        "pair-mlp" => ChainModels.For(new MlpSpec([10, 7, 5], "relu"))!,
        "pair-linear" => new LinearChainModel(10, 5),
        _ => ChainModels.For(ChainModelSpecs.All[name])!,
    };

    // n rows of width w with k ones each, in k blocks of w/k (one-hot a, one-hot b, ... concatenated).
    private static Tensor KHot(long n, long width, int k, Generator gen)
    {
        var x = zeros([n, width], dtype: ScalarType.Float64);
        long block = width / k;
        for (int j = 0; j < k; j++)
        {
            var column = randint(block, [n], dtype: ScalarType.Int64, generator: gen) + j * block;
            x.scatter_(1, column.unsqueeze(1), ones([n, 1], dtype: ScalarType.Float64));
        }
        return x;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GatherPathEqualsTheDenseProducts(string modelName, int k, string pattern, string lossName, bool minibatch)
    {
        using var scope = NewDisposeScope();
        var model = Model(modelName);
        long width = model.ParameterShapes[0].Shape[^1];
        long outputs = model is TmsChainModel ? width : model.ParameterShapes.Last(p => p.Shape.Length == 2).Shape[0];
        using var gen = new Generator(3);
        var x = KHot(N, width, k, gen);
        var y = lossName == "cross_entropy" ? randint(outputs, [N], dtype: ScalarType.Int64, generator: gen) : randn([N, outputs], dtype: ScalarType.Float64, generator: gen);
        var center = model.ParameterShapes.ToDictionary(p => p.Name, p => 0.6 * randn(p.Shape, dtype: ScalarType.Float64, generator: gen));
        IChainLoss loss = lossName == "cross_entropy" ? new CrossEntropyChainLoss() : new SquaredErrorLoss();
        string? regex = pattern == "" ? null : pattern;
        using var gathered = new BatchedPotential(model, center, new SupervisedData(x, y), loss, regex, ScalarType.Float64);
        using var dense = new BatchedPotential(model, center, new SupervisedData(x, y), new DelegateChainLoss(loss.Name, loss.Compute), regex, ScalarType.Float64);
        Assert.True(gathered.KHotInputs);

        var weights = gathered.Center.unsqueeze(0) + 0.4 * randn([Chains, gathered.Dimension], dtype: ScalarType.Float64, generator: gen);
        var indices = minibatch ? randint(N, [Chains, 11], dtype: ScalarType.Int64, generator: gen) : null;
        var g1 = zeros_like(weights);
        var g2 = zeros_like(weights);
        var l1 = gathered.Loss(weights, indices, g1);
        var l2 = dense.Loss(weights, indices, g2);
        var lossOnly = gathered.Loss(weights, indices, null);
        string what = $"{modelName} (k = {k}) × {lossName}, pattern '{pattern}', {(minibatch ? "minibatch" : "full batch")}";
        Assert.Equal(0.0, (l1 - lossOnly).abs().max().item<double>());
        Assert.True((l1 - l2).abs().max().item<double>() <= 1e-12 * Math.Max(1, l2.abs().max().item<double>()), $"{what}: losses differ");
        double scale = g2.abs().max().item<double>();
        Assert.True(scale > 1e-3, $"{what}: trivial gradient");
        double diff = (g1 - g2).abs().max().item<double>();
        Assert.True(diff <= 1e-10 * Math.Max(1, scale), $"{what}: gradients differ by {diff:g3}");
        // The per-sample table at w* (used for L_b(w*) on draws) comes from the dense path and agrees.
        if (indices is not null)
            Assert.True((gathered.CenterLoss(indices) - dense.Loss(dense.Center.unsqueeze(0).expand(Chains, -1), indices, null)).abs().max().item<double>() < 1e-12);
    }

    [Theory]
    [InlineData("pair-mlp", null, false)]
    [InlineData("pair-mlp", null, true)]
    [InlineData("pair-mlp", @"^layers\.0\.bias$", false)]
    [InlineData("mlp-tanh-nobias", null, true)]
    [InlineData("mlp-gelu-contiguous", null, false)]
    [InlineData("tms", null, false)]
    [InlineData("pair-linear", null, true)]
    public void Float32KernelsMatchTheDenseFloat64Gradients(string modelName, string? pattern, bool minibatch)
    {
        // The float32 path runs the managed gather/scatter kernels (KHotKernels): compared with the dense float64
        // products, losses and gradients agree to float32 precision.
        using var scope = NewDisposeScope();
        var model = Model(modelName);
        long width = model.ParameterShapes[0].Shape[^1];
        int k = modelName.StartsWith("pair", StringComparison.Ordinal) ? 2 : 1;
        long outputs = model is TmsChainModel ? width : model.ParameterShapes.Last(p => p.Shape.Length == 2).Shape[0];
        using var gen = new Generator(8);
        var x = KHot(N, width, k, gen);
        var y = randint(outputs, [N], dtype: ScalarType.Int64, generator: gen);
        var center = model.ParameterShapes.ToDictionary(p => p.Name, p => 0.6 * randn(p.Shape, dtype: ScalarType.Float64, generator: gen));
        var loss = new CrossEntropyChainLoss();
        using var fast = new BatchedPotential(model, center, new SupervisedData(x, y), loss, pattern, ScalarType.Float32);
        using var exact = new BatchedPotential(model, center, new SupervisedData(x, y), new DelegateChainLoss(loss.Name, loss.Compute), pattern, ScalarType.Float64);
        Assert.True(fast.KHotInputs);
        var weights = exact.Center.unsqueeze(0) + 0.4 * randn([Chains, exact.Dimension], dtype: ScalarType.Float64, generator: gen);
        var indices = minibatch ? randint(N, [Chains, 11], dtype: ScalarType.Int64, generator: gen) : null;
        var g1 = zeros([Chains, fast.Dimension], dtype: ScalarType.Float32);
        var g2 = zeros_like(weights);
        var l1 = fast.Loss(weights.to_type(ScalarType.Float32), indices, g1).to_type(ScalarType.Float64);
        var l2 = exact.Loss(weights, indices, g2);
        Assert.True((l1 - l2).abs().max().item<double>() <= 1e-5 * Math.Max(1, l2.abs().max().item<double>()), $"{modelName}: losses differ");
        double scale = g2.abs().max().item<double>();
        double diff = (g1.to_type(ScalarType.Float64) - g2).abs().max().item<double>();
        Assert.True(scale > 1e-3 && diff <= 1e-5 * Math.Max(1, scale), $"{modelName}: gradients differ by {diff:g3} (max {scale:g3})");
    }

    [Fact]
    public void RowsThatAreNotKHotKeepTheDenseProducts()
    {
        using var scope = NewDisposeScope();
        var model = Model("pair-mlp");
        var center = model.ParameterShapes.ToDictionary(p => p.Name, p => randn(p.Shape, dtype: ScalarType.Float64));
        var y = randint(5, [N], dtype: ScalarType.Int64);
        using var gen = new Generator(9);
        bool Hot(Tensor x)
        {
            using var p = new BatchedPotential(model, center, new SupervisedData(x, y), new CrossEntropyChainLoss(), dtype: ScalarType.Float64);
            return p.KHotInputs;
        }
        var pairs = KHot(N, 10, 2, gen);
        Assert.True(Hot(pairs));
        Assert.False(Hot(pairs * 2));                                   // values other than 0 and 1
        var uneven = pairs.clone();
        uneven[0, 0] = 1 - uneven[0, 0];                                // one row with a different count of ones
        Assert.False(Hot(uneven));
        Assert.False(Hot(randn([N, 10], dtype: ScalarType.Float64)));  // dense
        Assert.False(Hot(KHot(N, 10, 5, gen)));                        // too dense to pay off (5 ones of 10)
        Assert.False(Hot(zeros([N, 10], dtype: ScalarType.Float64)));  // no ones at all
    }

    [Fact]
    public void TheGrokkingTaskSamplesTheSameChainsWithEitherPath()
    {
        // A short float64 estimate on the modular-addition task (2-hot rows): the gathered and the dense potential give the
        // same λ̂ up to rounding from the same seed.
        using var scope = NewDisposeScope();
        var task = new ModularTaskSpec(7, ModularOperation.Add, 0.6, Seed: 1);
        using var train = task.LoadTraining(ScalarType.Float64);
        var spec = new MlpSpec([14, 9, 7], "gelu");
        using var module = spec.Build(3, ScalarType.Float64);
        var center = module.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach());
        var model = ChainModels.For(spec)!;
        using var gathered = new BatchedPotential(model, center, train.Supervised, train.LossFunction, dtype: ScalarType.Float64);
        using var dense = new BatchedPotential(model, center, train.Supervised, new DelegateChainLoss("ce", train.LossFunction.Compute), dtype: ScalarType.Float64);
        Assert.True(gathered.KHotInputs);
        var options = new LlcOptions(Chains: 2, Draws: 40, BurnIn: 10, StepSize: 1e-3, Localization: 10, Seed: 4, TargetRelativeError: null);
        var a = new LlcEstimator(options).Estimate(gathered);
        var b = new LlcEstimator(options).Estimate(dense);
        for (int c = 0; c < 2; c++) Assert.Equal(b.PerChain[c], a.PerChain[c], 8);
    }
}
