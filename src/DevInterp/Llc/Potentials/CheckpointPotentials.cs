using DevInterp.Checkpoints;
using DevInterp.Llc.Models;
using DevInterp.Models;
using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>
/// Builds the LLC's potential at a checkpoint: from a model spec (a <see cref="BatchedPotential"/> over the spec's chain
/// model when it has one, else a <see cref="ModulePotential"/> over the built module) or from any TorchSharp module (a
/// <see cref="ModulePotential"/>). Checkpoints load through <see cref="StateDictLoader"/>, so name maps and the strict
/// checks apply, and a checkpoint that does not fit fails with every problem listed.
/// </summary>
public static class CheckpointPotentials
{
    /// <summary>The potential of the model <paramref name="spec"/> describes, at the weights in <paramref name="checkpoint"/>.</summary>
    /// <exception cref="CheckpointFormatException">The checkpoint does not fit the spec.</exception>
    public static IChainPotential Create(ModelSpec spec, ICheckpointReader checkpoint, SupervisedData data, IChainLoss loss,
        CheckpointPotentialOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(loss);
        options ??= new CheckpointPotentialOptions();
        var chainModel = options.Batched ? ChainModels.For(spec) : null;
        var module = spec.Build(0, options.DType);
        try
        {
            StateDictLoader.Load(module, checkpoint, options.Load);
            if (chainModel is null) return new OwningModulePotential(module, new ModulePotential(module, data, loss, options.ParameterPattern));
            using var scope = torch.NewDisposeScope();
            var center = module.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach());
            var potential = new BatchedPotential(chainModel, center, data, loss, options.ParameterPattern, options.DType);
            module.Dispose();
            return potential;
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>As <see cref="Create(ModelSpec, ICheckpointReader, SupervisedData, IChainLoss, CheckpointPotentialOptions?)"/>, from an in-memory state dict.</summary>
    public static IChainPotential Create(ModelSpec spec, IReadOnlyDictionary<string, torch.Tensor> stateDict, SupervisedData data,
        IChainLoss loss, CheckpointPotentialOptions? options = null)
    {
        using var reader = new StateDictReader(stateDict);
        return Create(spec, reader, data, loss, options);
    }

    /// <summary>
    /// The potential of any module: loads <paramref name="checkpoint"/> into it (the module then holds w*; the potential
    /// puts w* back when disposed) and samples it one chain at a time, in the module's dtype
    /// (<see cref="CheckpointPotentialOptions.DType"/> and <see cref="CheckpointPotentialOptions.Batched"/> do not apply).
    /// The caller keeps ownership of the module.
    /// </summary>
    public static ModulePotential Create(torch.nn.Module<torch.Tensor, torch.Tensor> module, ICheckpointReader checkpoint,
        SupervisedData data, IChainLoss loss, CheckpointPotentialOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(checkpoint);
        options ??= new CheckpointPotentialOptions();
        StateDictLoader.Load(module, checkpoint, options.Load);
        return new ModulePotential(module, data, loss, options.ParameterPattern);
    }

    /// <summary>As <see cref="Create(torch.nn.Module{torch.Tensor, torch.Tensor}, ICheckpointReader, SupervisedData, IChainLoss, CheckpointPotentialOptions?)"/>, from an in-memory state dict.</summary>
    public static ModulePotential Create(torch.nn.Module<torch.Tensor, torch.Tensor> module, IReadOnlyDictionary<string, torch.Tensor> stateDict,
        SupervisedData data, IChainLoss loss, CheckpointPotentialOptions? options = null)
    {
        using var reader = new StateDictReader(stateDict);
        return Create(module, reader, data, loss, options);
    }
}

/// <summary>A module potential that disposes the module it was built on (a module made from a spec).</summary>
internal sealed class OwningModulePotential(torch.nn.Module module, ModulePotential inner) : IChainPotential
{
    public IReadOnlyList<SampledParameter> Parameters => inner.Parameters;

    public long Dimension => inner.Dimension;

    public long SampleCount => inner.SampleCount;

    public torch.Tensor Center => inner.Center;

    public torch.Tensor Loss(torch.Tensor weights, torch.Tensor? batchIndices, torch.Tensor? gradient) =>
        inner.Loss(weights, batchIndices, gradient);

    public void Dispose()
    {
        inner.Dispose();
        module.Dispose();
    }
}
