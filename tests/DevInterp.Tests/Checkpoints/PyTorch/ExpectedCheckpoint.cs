using DevInterp.Checkpoints;

namespace DevInterp.Tests.Checkpoints.PyTorch;

/// <summary>One tensor as PyTorch reads it: dtype, shape, first value and the float64 sum of all values in row-major order.</summary>
internal sealed record ExpectedTensor(string Name, TensorDType DType, long[] Shape, double First, double Sum);

/// <summary>A shared torch.save file, the key of its state dict (null: the root) and what it holds.</summary>
internal sealed record ExpectedCheckpoint(string File, string? Key, ExpectedTensor[] Tensors, (string Name, MetadataValue Value)[] Metadata);
