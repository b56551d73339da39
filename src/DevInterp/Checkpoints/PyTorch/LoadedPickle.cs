namespace DevInterp.Checkpoints.PyTorch;

/// <summary>
/// The object a torch.save file pickles (restricted unpickle: only allowlisted globals), with the means to reach the
/// bytes of the storages its tensors refer to.
/// </summary>
/// <param name="Root">The unpickled object.</param>
/// <param name="Bind">The bytes of a storage a tensor names (throws when the file lacks it).</param>
/// <param name="BigEndian">True when the storages hold big-endian values.</param>
internal sealed record LoadedPickle(object Root, Func<TorchStorageRef, StorageBytes> Bind, bool BigEndian);
