using DevInterp.Numerics;
using MathNet.Numerics.LinearAlgebra;
using TorchSharp;

namespace DevInterp.Activations;

/// <summary>
/// Collects a model's outputs on the probe batch, one checkpoint at a time, as the T × F matrix essential dynamics
/// takes (<c>EssentialDynamics.Analyze(trajectory.Steps, trajectory.ToMatrix())</c>): row t is checkpoint t's
/// [rows, outputs] matrix flattened row-major (sample by sample). Pass <see cref="Add"/> as the outputs consumer of
/// <see cref="RunActivations.Stream(Runs.Run, ProbeBatch, Action{long, string, torch.Tensor}?, Action{long, torch.Tensor}?, RunActivationOptions?, IProgress{RunActivationsProgress}?, CancellationToken)"/>.
/// Memory: T·F doubles.
/// </summary>
public sealed class OutputTrajectory
{
    private readonly List<long> _steps = [];
    private readonly List<double[]> _rows = [];

    /// <summary>Steps added, in order.</summary>
    public IReadOnlyList<long> Steps => _steps;

    /// <summary>Checkpoints added.</summary>
    public int Count => _rows.Count;

    /// <summary>Adds a checkpoint's outputs (copied).</summary>
    /// <exception cref="ArgumentException">Steps not increasing, or a size different from earlier checkpoints.</exception>
    public void Add(long step, torch.Tensor outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (_steps.Count > 0 && step <= _steps[^1])
            throw new ArgumentException($"step: {step} does not follow {_steps[^1]}; add checkpoints in increasing step order", nameof(step));
        var values = TorchMatrix.ToArray(outputs);
        if (_rows.Count > 0 && values.Length != _rows[0].Length)
            throw new ArgumentException($"outputs: step {step} has {values.Length} values, step {_steps[0]} had {_rows[0].Length}; every checkpoint must use the same probe batch", nameof(outputs));
        _steps.Add(step);
        _rows.Add(values);
    }

    /// <summary>The T × F matrix.</summary>
    /// <exception cref="InvalidOperationException">Nothing was added.</exception>
    public Matrix<double> ToMatrix()
    {
        if (_rows.Count == 0) throw new InvalidOperationException("output trajectory: no checkpoint was added");
        return Matrix<double>.Build.DenseOfRowArrays(_rows);
    }
}
