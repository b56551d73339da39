using DevInterp.Models;
using DevInterp.Tasks;
using static TorchSharp.torch;

namespace DevInterp.Tests.Tasks;

public class TaskTests
{
    [Fact]
    public void TaskRngIsSplitMix64()
    {
        // Reference outputs of Vigna's splitmix64.c started from state 0.
        var rng = new TaskRng(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, rng.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, rng.NextUInt64());
        Assert.Equal(0x06C45D188009454FUL, rng.NextUInt64());
    }

    [Fact]
    public void TaskRngDistributions()
    {
        var rng = new TaskRng(12345);
        const int n = 200_000;
        double sum = 0, sumSq = 0, uniformSum = 0;
        var counts = new int[7];
        for (int i = 0; i < n; i++)
        {
            double g = rng.NextGaussian();
            sum += g;
            sumSq += g * g;
            double u = rng.NextDouble();
            Assert.InRange(u, 0.0, 0.9999999999999999);
            uniformSum += u;
            counts[rng.NextInt(7)]++;
        }
        Assert.InRange(sum / n, -0.01, 0.01);
        Assert.InRange(sumSq / n, 0.98, 1.02);
        Assert.InRange(uniformSum / n, 0.497, 0.503);
        Assert.All(counts, c => Assert.InRange(c, n / 7 * 0.97, n / 7 * 1.03));
    }

    [Fact]
    public void TmsDataHasTheSpecifiedSparsityAndIsReproducible()
    {
        using var scope = NewDisposeScope();
        var spec = new TmsTaskSpec(Features: 6, FeatureProbability: 0.1, ImportanceDecay: 0.8, NTrain: 20000, Seed: 4);
        using var data = spec.Generate();
        Assert.Equal([20000L, 6], data.Inputs.shape);
        Assert.True(data.Inputs.eq(data.Targets).all().item<bool>());
        double present = data.Inputs.gt(0).to_type(ScalarType.Float64).mean().item<double>();
        Assert.InRange(present, 0.095, 0.105);
        // Present values are uniform on [0, 1): mean 0.5.
        double meanPresent = data.Inputs.sum().item<float>() / data.Inputs.gt(0).sum().item<long>();
        Assert.InRange(meanPresent, 0.49, 0.51);
        Assert.Equal(new[] { 1, 0.8, 0.64, 0.512, 0.4096, 0.32768 }, spec.Importance, new ToleranceComparer(1e-12));
        using var again = spec.Generate();
        Assert.True(data.Inputs.eq(again.Inputs).all().item<bool>());
        using var other = (spec with { Seed = 5 }).Generate();
        Assert.False(data.Inputs.eq(other.Inputs).all().item<bool>());
    }

    [Fact]
    public void TmsLossIsImportanceWeightedSquaredErrorAveragedOverSamples()
    {
        using var scope = NewDisposeScope();
        var spec = new TmsTaskSpec(3, 0.5, 0.5, 2, 1);
        using var data = spec.Generate();
        var prediction = tensor(new float[] { 1, 1, 1, 0, 0, 0 }).reshape(2, 3);
        var target = tensor(new float[] { 0, 0, 0, 1, 2, 3 }).reshape(2, 3);
        // sample 1: 1 + 0.5 + 0.25 = 1.75; sample 2: 1 + 0.5·4 + 0.25·9 = 5.25; mean 3.5
        Assert.Equal(3.5f, data.Loss(prediction, target).item<float>(), 6);
    }

    [Fact]
    public void DlnTeacherHasTheRequestedSingularValuesAndDataFollowIt()
    {
        using var scope = NewDisposeScope();
        var spec = new DlnTaskSpec(InputDim: 7, OutputDim: 5, SingularValues: [5, 2.5, 1.2], Noise: 0.0, NTrain: 64, Seed: 9);
        var a = spec.Teacher();
        var teacher = tensor(a.Cast<double>().ToArray(), [5, 7], ScalarType.Float64);
        var sv = linalg.svdvals(teacher).data<double>().ToArray();
        Assert.Equal(new[] { 5, 2.5, 1.2, 0, 0 }, sv, new ToleranceComparer(1e-9));
        using var data = spec.Generate(ScalarType.Float64);
        Assert.True(data.Targets.allclose(data.Inputs.matmul(teacher.t()), rtol: 0, atol: 1e-12));
        // Noise adds σ²·output_dim to the loss of the teacher itself.
        using var noisy = (spec with { Noise = 0.3, NTrain = 40000 }).Generate(ScalarType.Float64);
        double teacherLoss = noisy.Loss(noisy.Inputs.matmul(teacher.t()), noisy.Targets).item<double>();
        Assert.InRange(teacherLoss, 0.09 * 5 * 0.97, 0.09 * 5 * 1.03);
    }

    [Theory]
    [InlineData("""{"type":"tms","features":6,"feature_probability":0,"n_train":10,"seed":1}""", "feature_probability")]
    [InlineData("""{"type":"tms","features":6,"feature_probability":0.1,"seed":1}""", "n_train")]
    [InlineData("""{"type":"tms","features":6,"feature_probability":0.1,"n_train":10,"seed":1,"importance_decay":1.5}""", "importance_decay")]
    [InlineData("""{"type":"dln","input_dim":2,"output_dim":3,"singular_values":[1,1,1],"n_train":10,"seed":1}""", "singular_values")]
    [InlineData("""{"type":"dln","input_dim":2,"output_dim":3,"singular_values":[1,-1],"n_train":10,"seed":1}""", "singular_values[1]")]
    [InlineData("""{"type":"dln","input_dim":2,"output_dim":3,"singular_values":[1],"n_train":10,"seed":1,"loss":"l1"}""", "loss")]
    [InlineData("""{"type":"dln","input_dim":2,"output_dim":3,"singular_values":[1],"n_train":10}""", "seed")]
    [InlineData("""{"type":"mnist"}""", "type")]
    public void BadTaskSpecsNameTheField(string json, string field)
    {
        var e = Assert.Throws<SpecFormatException>(() => TaskSpec.Parse(json));
        Assert.Equal(field, e.Field);
        Assert.StartsWith($"task spec field '{field}'", e.Message);
    }

    [Fact]
    public void TaskSpecsRoundTripThroughJson()
    {
        TaskSpec[] specs = [new TmsTaskSpec(6, 0.05, 0.9, 100, 3), new DlnTaskSpec(4, 3, [2, 1], 0.1, 50, 8)];
        foreach (var spec in specs)
        {
            var again = TaskSpec.Parse(spec.ToJson());
            Assert.Equal(spec.ToJson().ToJsonString(), again.ToJson().ToJsonString());
            using var a = spec.Generate();
            using var b = again.Generate();
            Assert.True(a.Targets.eq(b.Targets).all().item<bool>());
        }
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
