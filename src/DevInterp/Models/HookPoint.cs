using static TorchSharp.torch;

namespace DevInterp.Models;

/// <summary>
/// An identity submodule placed where a model computes a value worth capturing that no other submodule returns
/// (attention pattern, residual stream mid-block, TMS hidden vector). Register a forward hook on it by name; it has no
/// parameters, so it never changes a model's state-dict names.
/// </summary>
public sealed class HookPoint : ExplicitModule
{
    /// <summary>Creates a hook point.</summary>
    public HookPoint() : base(nameof(HookPoint)) { }

    /// <summary>Returns the input unchanged.</summary>
    public override Tensor forward(Tensor input) => input;
}
