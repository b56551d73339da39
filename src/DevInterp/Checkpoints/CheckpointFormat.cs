namespace DevInterp.Checkpoints;

/// <summary>On-disk formats DevInterp reads.</summary>
public enum CheckpointFormat
{
    /// <summary>Hugging Face safetensors (our canonical format).</summary>
    Safetensors,
    /// <summary>A zip archive written by <c>torch.save</c> (PyTorch 1.6 and later).</summary>
    PyTorchZip,
    /// <summary>The legacy non-zip pickle stream of <c>torch.save(..., _use_new_zipfile_serialization=False)</c>.</summary>
    PyTorchLegacy,
    /// <summary>The pre-0.1.10 tar layout of <c>torch.save</c>.</summary>
    PyTorchTar,
    /// <summary>A TorchSharp state dict (<c>Module.save</c> / <c>exportsd.py</c>).</summary>
    TorchSharpDat,
}
