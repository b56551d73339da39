using DevInterp.Llc.Models;
using DevInterp.Llc.Potentials;
using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Tests.Llc;

/// <summary>
/// The fused kernel of the one-hidden-layer MLP with cross-entropy on k-hot inputs (the grokking model) gives the
/// losses and gradients of the torch operations it replaces (float32: within float rounding, relative to the largest
/// value), for each activation, hidden widths that are and are not a multiple of 32, class counts below and at 32,
/// full batch and minibatches, batches that are and are not a multiple of the kernel's 8-row block, weights whose
/// rows are a broadcast (w* for all chains) and 1 and 2 threads; and it stays out of the way where it does not apply.
/// </summary>
public class FusedKHotMlpTests
{
    private const long Chains = 3;

    public static IEnumerable<object[]> Cases() =>
        from shape in new (int P, int Hidden, long N)[] { (13, 48, 37), (32, 64, 80), (31, 256, 396) }
        from activation in new[] { "relu", "gelu", "tanh" }
        from minibatch in new[] { false, true }
        select new object[] { shape.P, shape.Hidden, shape.N, activation, minibatch };

    // n pairs (a, b) mod p, one-hot concatenated, target (a + b) mod p.
    private static (Tensor X, Tensor Y) Pairs(int p, long n, Generator gen)
    {
        var a = randint(p, [n], dtype: ScalarType.Int64, generator: gen);
        var b = randint(p, [n], dtype: ScalarType.Int64, generator: gen);
        var x = cat([nn.functional.one_hot(a, p), nn.functional.one_hot(b, p)], 1).to_type(ScalarType.Float32);
        return (x, (a + b).remainder(p));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedKernelEqualsTheTorchOperations(int p, int hidden, long n, string activation, bool minibatch)
    {
        using var scope = NewDisposeScope();
        var spec = new MlpSpec([2 * p, hidden, p], activation);
        var model = ChainModels.For(spec)!;
        using var gen = new Generator(5);
        var (x, y) = Pairs(p, n, gen);
        var center = model.ParameterShapes.ToDictionary(s => s.Name, s => 0.3f * randn(s.Shape, generator: gen));
        using var potential = new BatchedPotential(model, center, new SupervisedData(x, y), new CrossEntropyChainLoss());
        Assert.True(potential.FusedKernel, "the fused kernel should apply");
        var weights = potential.Center.unsqueeze(0) + 0.2f * randn([Chains, potential.Dimension], generator: gen);
        var indices = minibatch ? randint(n, [Chains, 21], dtype: ScalarType.Int64, generator: gen) : null;
        int saved = get_num_threads();
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                set_num_threads(threads);
                foreach (bool broadcast in new[] { false, true })
                {
                    var w = broadcast ? potential.Center.unsqueeze(0).expand(Chains, potential.Dimension) : weights;
                    var (fusedLoss, fusedGradient) = Evaluate(potential, w, indices, fused: true);
                    var (torchLoss, torchGradient) = Evaluate(potential, w, indices, fused: false);
                    string what = $"{2 * p}-{hidden}-{p} {activation}, n = {n}, {(minibatch ? "minibatch" : "full batch")}, {threads} thread(s){(broadcast ? ", broadcast rows" : "")}";
                    Assert.True((fusedLoss - torchLoss).abs().max().item<float>() <= 2e-6f * torchLoss.abs().max().item<float>(), $"{what}: losses differ");
                    float scale = torchGradient.abs().max().item<float>();
                    Assert.True(scale > 0, $"{what}: zero gradient");
                    Assert.True((fusedGradient - torchGradient).abs().max().item<float>() <= 1e-5f * scale, $"{what}: gradients differ");
                    Assert.Equal(0f, (potential.Loss(w, indices, null) - fusedLoss).abs().max().item<float>());
                }
            }
        }
        finally
        {
            set_num_threads(saved);
            potential.FusedKernel = true;
        }
    }

    private static (Tensor Loss, Tensor Gradient) Evaluate(BatchedPotential potential, Tensor weights, Tensor? indices, bool fused)
    {
        potential.FusedKernel = fused;
        var gradient = full([weights.shape[0], potential.Dimension], float.NaN);
        var loss = potential.Loss(weights, indices, gradient);
        potential.FusedKernel = true;
        return (loss, gradient);
    }

    [Theory]
    [InlineData(40, 31, "relu", null)]            // hidden width not a multiple of 16
    [InlineData(32, 33, "relu", null)]            // more than 32 classes
    [InlineData(32, 31, "relu", @"^layers\.2\.")] // a parameter held at w*
    public void FusedKernelStaysOutWhereItDoesNotApply(int hidden, int classes, string activation, string? pattern)
    {
        using var scope = NewDisposeScope();
        var model = ChainModels.For(new MlpSpec([62, hidden, classes], activation))!;
        using var gen = new Generator(6);
        var (x, _) = Pairs(31, 20, gen);
        var y = randint(classes, [20], dtype: ScalarType.Int64, generator: gen);
        var center = model.ParameterShapes.ToDictionary(s => s.Name, s => randn(s.Shape, generator: gen));
        using var potential = new BatchedPotential(model, center, new SupervisedData(x, y), new CrossEntropyChainLoss(), pattern);
        Assert.True(potential.KHotInputs);
        Assert.False(potential.FusedKernel);
    }
}
