using static TorchSharp.torch;

namespace DevInterp.Models;

/// <summary>
/// Base of DevInterp's modules: every parameter, buffer and submodule is registered explicitly, under its documented
/// PyTorch name, in the constructor. TorchSharp would otherwise also register each field under its C# field name when
/// the module becomes a submodule (duplicating state-dict entries as <c>_attn._cAttn.weight</c>).
/// </summary>
public abstract class ExplicitModule : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the module with a display name.</summary>
    protected ExplicitModule(string name) : base(name) { }

    /// <summary>Does nothing: registration is explicit.</summary>
    protected override void RegisterComponents() { }
}
