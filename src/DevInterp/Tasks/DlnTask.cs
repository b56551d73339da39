using System.Text.Json.Nodes;
using DevInterp.Llc.Potentials;
using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Tasks;

/// <summary>
/// Linear regression onto a low-rank teacher, the deep-linear-network setting of Saxe et al. (2014): y = A x + σ ε with
/// x, ε standard normal and A = U diag(s) Vᵀ of the given singular values s (U, V with orthonormal columns, random from
/// the seed). Generation with <see cref="TaskRng"/>(seed): V's Gaussian entries ([input_dim, r] row-major), then U's
/// ([output_dim, r]), each orthonormalised by modified Gram–Schmidt (columns in order); then for each sample its
/// input_dim input Gaussians followed by output_dim noise Gaussians (drawn even when σ = 0).
/// </summary>
/// <param name="InputDim">Input width.</param>
/// <param name="OutputDim">Output width.</param>
/// <param name="SingularValues">The teacher's non-zero singular values (at most min(input, output) of them).</param>
/// <param name="Noise">Standard deviation σ of the label noise.</param>
/// <param name="NTrain">Number of training samples.</param>
/// <param name="Seed">Data seed.</param>
public sealed record DlnTaskSpec(int InputDim, int OutputDim, IReadOnlyList<double> SingularValues, double Noise, int NTrain, long Seed) : TaskSpec
{
    /// <summary>The <c>type</c> value.</summary>
    public const string TypeName = "dln";

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <inheritdoc />
    public override long? InputSize => InputDim;

    /// <inheritdoc />
    public override long? OutputSize => OutputDim;

    internal static DlnTaskSpec Read(SpecReader r)
    {
        int input = (int)r.RequireInt("input_dim", 1, 1 << 16);
        int output = (int)r.RequireInt("output_dim", 1, 1 << 16);
        var s = r.OptionalDoubleArray("singular_values", 1, 0, exclusiveMin: true) ?? throw r.Error("singular_values", "required (an array of positive numbers)");
        if (s.Count > Math.Min(input, output))
            throw r.Error("singular_values", $"at most min(input_dim, output_dim) = {Math.Min(input, output)} values, got {s.Count}");
        double noise = r.OptionalDouble("noise", 0.0, 0)!.Value;
        r.OptionalString("input_distribution", "gaussian", "gaussian");
        r.OptionalString("loss", SquaredErrorLoss, SquaredErrorLoss);
        int n = (int)r.RequireInt("n_train", 1, 1 << 24);
        long seed = r.RequireInt("seed");
        r.RejectUnknown();
        return new DlnTaskSpec(input, output, s, noise, n, seed);
    }

    /// <inheritdoc />
    public override JsonObject ToJson() => new()
    {
        ["type"] = TypeName,
        ["input_dim"] = InputDim,
        ["output_dim"] = OutputDim,
        ["singular_values"] = new JsonArray([.. SingularValues.Select(v => (JsonNode)v)]),
        ["noise"] = Noise,
        ["input_distribution"] = "gaussian",
        ["n_train"] = NTrain,
        ["seed"] = Seed,
        ["loss"] = SquaredErrorLoss,
    };

    /// <summary>The teacher A [output_dim, input_dim], row-major, as generated from the seed.</summary>
    public double[,] Teacher()
    {
        Validate();
        return TeacherFrom(new TaskRng(Seed));
    }

    /// <inheritdoc />
    public override IChainLoss CreateLoss() => new DevInterp.Llc.Potentials.SquaredErrorLoss();

    /// <inheritdoc />
    public override TaskData LoadTraining(ScalarType dtype = ScalarType.Float32)
    {
        Validate();
        var rng = new TaskRng(Seed);
        var a = TeacherFrom(rng);
        var x = new double[(long)NTrain * InputDim];
        var y = new double[(long)NTrain * OutputDim];
        var xi = new double[InputDim];
        for (int k = 0; k < NTrain; k++)
        {
            for (int j = 0; j < InputDim; j++) xi[j] = x[(long)k * InputDim + j] = rng.NextGaussian();
            for (int o = 0; o < OutputDim; o++)
            {
                double sum = 0;
                for (int j = 0; j < InputDim; j++) sum += a[o, j] * xi[j];
                y[(long)k * OutputDim + o] = sum + Noise * rng.NextGaussian();
            }
        }
        return new TaskData(Matrix(x, NTrain, InputDim, dtype), Matrix(y, NTrain, OutputDim, dtype), CreateLoss());
    }

    private double[,] TeacherFrom(TaskRng rng)
    {
        int r = SingularValues.Count;
        var v = Orthonormal(rng, InputDim, r);
        var u = Orthonormal(rng, OutputDim, r);
        var a = new double[OutputDim, InputDim];
        for (int o = 0; o < OutputDim; o++)
            for (int j = 0; j < InputDim; j++)
            {
                double sum = 0;
                for (int m = 0; m < r; m++) sum += u[o, m] * SingularValues[m] * v[j, m];
                a[o, j] = sum;
            }
        return a;
    }

    /// <summary>A [rows, cols] matrix with orthonormal columns: Gaussian entries, then modified Gram–Schmidt.</summary>
    private static double[,] Orthonormal(TaskRng rng, int rows, int cols)
    {
        var m = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) m[i, j] = rng.NextGaussian();
        for (int j = 0; j < cols; j++)
        {
            for (int p = 0; p < j; p++)
            {
                double dot = 0;
                for (int i = 0; i < rows; i++) dot += m[i, p] * m[i, j];
                for (int i = 0; i < rows; i++) m[i, j] -= dot * m[i, p];
            }
            double norm = 0;
            for (int i = 0; i < rows; i++) norm += m[i, j] * m[i, j];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < rows; i++) m[i, j] /= norm;
        }
        return m;
    }

    private void Validate()
    {
        if (InputDim < 1) throw new SpecFormatException(SpecName, "input_dim", $"expected an integer >= 1, got {InputDim}");
        if (OutputDim < 1) throw new SpecFormatException(SpecName, "output_dim", $"expected an integer >= 1, got {OutputDim}");
        if (SingularValues is null || SingularValues.Count == 0) throw new SpecFormatException(SpecName, "singular_values", "expected at least 1 entry");
        if (SingularValues.Count > Math.Min(InputDim, OutputDim))
            throw new SpecFormatException(SpecName, "singular_values", $"at most min(input_dim, output_dim) = {Math.Min(InputDim, OutputDim)} values, got {SingularValues.Count}");
        for (int i = 0; i < SingularValues.Count; i++)
            if (!(SingularValues[i] > 0) || !double.IsFinite(SingularValues[i]))
                throw new SpecFormatException(SpecName, $"singular_values[{i}]", $"expected a finite number > 0, got {SingularValues[i]}");
        if (!(Noise >= 0) || !double.IsFinite(Noise)) throw new SpecFormatException(SpecName, "noise", $"expected a finite number >= 0, got {Noise}");
        if (NTrain < 1) throw new SpecFormatException(SpecName, "n_train", $"expected an integer >= 1, got {NTrain}");
    }
}
