using DevInterp.Llc.Potentials;
using TorchSharp;

namespace DevInterp.Llc.Models;

/// <summary>The element-wise activations a <see cref="LinearChainStack"/> back-propagates by hand.</summary>
internal enum StackActivation
{
    Identity,
    Relu,
    Tanh,
    Gelu,
}

/// <summary>
/// One layer of a <see cref="LinearChainStack"/>: y = act(x·Aᵀ + b) with A = parameter <paramref name="Weight"/>
/// ([C, out, in], nn.Linear's layout) or, when <paramref name="Transposed"/>, its transpose (the parameter is
/// [C, in, out]: a tied weight used the other way round). <paramref name="Bias"/> is the bias parameter's index or −1.
/// </summary>
internal sealed record StackLayer(int Weight, bool Transposed, int Bias, StackActivation Activation);

/// <summary>
/// The forward and hand-written backward pass of a stack of batched linear layers with element-wise activations (the
/// MLP, the deep linear network, the toy model of superposition, linear regression), for C chains at once. Inputs
/// [C, B, ..., in] are flattened to R rows; activations are kept feature-major, [C, width, R], so each layer is one
/// batched product A·H whose long dimension is the rows (libtorch's BLAS is several times faster on that shape than
/// on H·Aᵀ when the layers are narrow). The backward pass is two batched products per layer (weight gradient G·Hᵀ and
/// input gradient Aᵀ·G) and a row sum for the bias. Outputs are a [C, B, ..., out] view of the last activation.
/// With k-hot inputs (<see cref="KHotBatch"/>) the first layer gathers and sums k rows of Aᵀ per sample instead of a
/// product, sample-major ([C, rows, out], read by the next product through a transposed view), and its weight
/// gradient is a scatter-add (<c>index_add_</c>) of the sample-major error.
/// </summary>
internal sealed class LinearChainStack
{
    private readonly StackLayer[] _layers;
    private readonly int _parameterCount;
    private readonly long[] _widths; // each layer's output width

    /// <summary>Creates the stack; <paramref name="parameterShapes"/> are the per-chain shapes of all parameters.</summary>
    public LinearChainStack(IReadOnlyList<StackLayer> layers, IReadOnlyList<long[]> parameterShapes)
    {
        if (layers.Count == 0) throw new ArgumentException("a linear stack needs at least one layer", nameof(layers));
        _layers = [.. layers];
        _parameterCount = parameterShapes.Count;
        _widths = _layers.Select(l => l.Transposed ? parameterShapes[l.Weight][1] : parameterShapes[l.Weight][0]).ToArray();
    }

    /// <summary>The layers, first to last.</summary>
    public IReadOnlyList<StackLayer> Layers => _layers;

    /// <summary>Maps an activation name of the specs to a stack activation; null when it has no hand-written derivative.</summary>
    public static StackActivation? ActivationOf(string name) => name switch
    {
        "relu" => StackActivation.Relu,
        "tanh" => StackActivation.Tanh,
        "gelu" => StackActivation.Gelu,
        _ => null,
    };

    /// <summary>The outputs only.</summary>
    public torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor inputs) => Run(parameters, inputs, null, record: false).Outputs;

    /// <summary>The outputs and what the backward pass needs.</summary>
    public IChainBackward Record(IReadOnlyList<torch.Tensor> parameters, torch.Tensor inputs) => Run(parameters, inputs, null, record: true);

    /// <summary>The outputs only, for k-hot inputs.</summary>
    public torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, KHotBatch inputs) => Run(parameters, null, inputs, record: false).Outputs;

    /// <summary>The outputs and what the backward pass needs, for k-hot inputs.</summary>
    public IChainBackward Record(IReadOnlyList<torch.Tensor> parameters, KHotBatch inputs) => Run(parameters, null, inputs, record: true);

    // The layer's matrix A ([C, out, in]) from its parameter.
    private static torch.Tensor Matrix(StackLayer layer, torch.Tensor weight) => layer.Transposed ? weight.transpose(1, 2) : weight;

    private Tape Run(IReadOnlyList<torch.Tensor> parameters, torch.Tensor? inputs, KHotBatch? kHot, bool record)
    {
        long[] shape = kHot is null ? inputs!.shape : [kHot.Chains, kHot.Count, kHot.Width];
        bool rows = shape.Length == 3;
        var layerInputs = record ? new torch.Tensor[_layers.Length] : null;
        var kept = record ? new torch.Tensor[_layers.Length] : null;
        torch.Tensor h;
        int start = 0;
        KHotRows? hot = null;
        if (kHot is not null)
        {
            // First layer as a gather: sample-major [C, R, out]; the next product reads it through a transposed view.
            var layer = _layers[0];
            hot = new KHotRows(kHot);
            var (y, a) = hot.Forward(Matrix(layer, parameters[layer.Weight]), layer.Bias >= 0 ? parameters[layer.Bias] : null, layer.Activation);
            if (kept is not null) kept[0] = layer.Activation == StackActivation.Gelu ? y : a; // sample-major, as its error
            h = a.transpose(1, 2);
            start = 1;
        }
        else
        {
            h = (rows ? inputs! : inputs!.reshape(shape[0], -1, shape[^1])).transpose(1, 2); // [C, in, R]
            // Narrow inputs laid out sample-major are copied feature-major (cheap), so the first product reads contiguous
            // rows; wide ones are read through the transposed view, which BLAS handles at full speed without a large copy.
            if (ChainLayout.FeatureMajor(shape[^1]) && h.stride(2) != 1) h = h.contiguous();
        }
        long width = start == 0 ? shape[^1] : _widths[0];
        for (int l = start; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            if (layerInputs is not null) layerInputs[l] = h;
            var y = torch.bmm(Matrix(layer, parameters[layer.Weight]), h); // [C, out, R], a fresh tensor: update it in place
            if (layer.Bias >= 0) y.add_(parameters[layer.Bias].unsqueeze(2), Scalars.One);
            width = _widths[l];
            h = Activate(y, layer.Activation);
            // ReLU and tanh derivatives are functions of the output; GELU's needs the pre-activation.
            if (kept is not null) kept[l] = layer.Activation == StackActivation.Gelu ? y : h;
        }
        // Outputs [C, R, out] laid out as ChainLayout says targets of their width are gathered, so the loss's
        // element-wise operations see one layout (mixing a transposed view with a contiguous tensor is several times
        // slower): narrow ones stay a feature-major view, wide ones are copied sample-major.
        var outputs = h.transpose(1, 2);
        if (!ChainLayout.FeatureMajor(width)) outputs = outputs.contiguous();
        if (!rows) outputs = outputs.reshape([.. shape[..^1], width]);
        return new Tape(this, parameters, layerInputs, kept, outputs, hot);
    }

    // y = act(y), in place where the activation allows (y is a fresh tensor).
    private static torch.Tensor Activate(torch.Tensor y, StackActivation activation) => activation switch
    {
        StackActivation.Identity => y,
        StackActivation.Relu => y.relu_(),
        StackActivation.Tanh => y.tanh_(),
        StackActivation.Gelu => torch.nn.functional.gelu(y),
        _ => throw new InvalidOperationException($"unknown activation {activation}"),
    };

    /// <summary>
    /// The first layer on k-hot rows: a gather of rows of Aᵀ and, backwards, a scatter-add into them (the managed
    /// <see cref="KHotKernels"/> for float32, fused with the bias and a ReLU; torch operations otherwise).
    /// </summary>
    private sealed class KHotRows(KHotBatch batch)
    {
        // (pre-activation, activation), both sample-major [C, R, out]; the same tensor for ReLU and the identity.
        public (torch.Tensor Pre, torch.Tensor Out) Forward(torch.Tensor matrix, torch.Tensor? bias, StackActivation activation)
        {
            long outputs = matrix.shape[1];
            var table = matrix.transpose(1, 2).contiguous().view(batch.Chains * batch.Width, outputs);
            torch.Tensor y;
            if (KHotKernels.Supports(table.dtype))
            {
                bool relu = activation == StackActivation.Relu;
                y = KHotKernels.Gather(table, batch.Rows, bias, relu, batch.Chains, batch.Count);
                if (relu) return (y, y);
            }
            else
            {
                y = table.index_select(0, batch.Rows[0]);
                for (long j = 1; j < batch.Rows.shape[0]; j++) y.add_(table.index_select(0, batch.Rows[j]), Scalars.One);
                y = y.view(batch.Chains, batch.Count, outputs);
                if (bias is not null) y.add_(bias.unsqueeze(1), Scalars.One);
            }
            return (y, Activate(y, activation));
        }

        // (∂/∂A [C, out, in] as a transposed view, ∂/∂bias [C, out]) of Σ ⟨error, activation⟩ for the sample-major
        // error [C, R, out]; null where not wanted.
        public (torch.Tensor? Weight, torch.Tensor? Bias) Backward(torch.Tensor error, bool owned, StackActivation activation,
            torch.Tensor kept, bool weight, bool bias)
        {
            if (KHotKernels.Supports(error.dtype))
            {
                torch.Tensor? mask = null;
                if (activation == StackActivation.Relu) mask = kept.is_contiguous() ? kept : kept.contiguous();
                else error = Tape.ActivationGradient(error, owned, activation, kept);
                if (!error.is_contiguous()) error = error.contiguous();
                var (table, b) = KHotKernels.Scatter(error, mask, batch.Rows, batch.Chains, batch.Count, batch.Width, bias);
                return (weight ? Transposed(table) : null, b);
            }
            error = Tape.ActivationGradient(error, owned, activation, kept);
            torch.Tensor? dA = null;
            if (weight)
            {
                var flat = error.reshape(batch.Chains * batch.Count, error.shape[2]);
                var table = torch.zeros([batch.Chains * batch.Width, error.shape[2]], dtype: error.dtype, device: error.device);
                for (long j = 0; j < batch.Rows.shape[0]; j++) table.index_add_(0, batch.Rows[j], flat, Scalars.One);
                dA = Transposed(table);
            }
            return (dA, bias ? error.sum(1) : null);
        }

        private torch.Tensor Transposed(torch.Tensor table) => table.view(batch.Chains, batch.Width, table.shape[1]).transpose(1, 2);
    }

    private sealed class Tape(LinearChainStack stack, IReadOnlyList<torch.Tensor> parameters, torch.Tensor[]? layerInputs,
        torch.Tensor[]? kept, torch.Tensor outputs, KHotRows? hot) : IChainBackward
    {
        public torch.Tensor Outputs => outputs;

        public torch.Tensor?[] Backward(torch.Tensor outputGradient, IReadOnlyList<bool> wanted)
        {
            var layers = stack._layers;
            if (layerInputs is null || kept is null) throw new InvalidOperationException("this forward pass was not recorded for a backward pass");
            if (wanted.Count != stack._parameterCount)
                throw new ArgumentException($"wanted: expected {stack._parameterCount} flags (one per parameter), got {wanted.Count}", nameof(wanted));
            var gradients = new torch.Tensor?[stack._parameterCount];
            int first = Array.FindIndex(layers, l => wanted[l.Weight] || (l.Bias >= 0 && wanted[l.Bias]));
            if (first < 0) return gradients;
            var sampleMajor = outputGradient.dim() == 3 ? outputGradient : outputGradient.reshape(outputGradient.shape[0], -1, outputGradient.shape[^1]);
            var g = sampleMajor.transpose(1, 2); // [C, out, R]
            // Rows contiguous like the activations it meets; a copy is ours to overwrite, the caller's gradient is not.
            bool owned = g.stride(2) != 1;
            if (owned) g = g.contiguous();
            for (int l = layers.Length - 1; l >= first; l--)
            {
                var layer = layers[l];
                if (l == 0 && hot is not null)
                {
                    // The gathered first layer: its error sample-major [C, R, out] (the caller's when it is the only layer).
                    if (layers.Length == 1) (g, owned) = (sampleMajor, false);
                    var (dA, db) = hot.Backward(g, owned, layer.Activation, kept[0], wanted[layer.Weight], layer.Bias >= 0 && wanted[layer.Bias]);
                    if (dA is not null) Accumulate(gradients, layer.Weight, layer.Transposed ? dA.transpose(1, 2) : dA);
                    if (db is not null) Accumulate(gradients, layer.Bias, db);
                    break;
                }
                g = ActivationGradient(g, owned, layer.Activation, kept[l]);
                var h = layerInputs[l];
                if (wanted[layer.Weight])
                {
                    // ∂/∂A = G·Hᵀ ([C, out, in]); a transposed use contributes (G·Hᵀ)ᵀ = H·Gᵀ to the parameter.
                    var dw = layer.Transposed ? torch.bmm(h, g.transpose(1, 2)) : torch.bmm(g, h.transpose(1, 2));
                    Accumulate(gradients, layer.Weight, dw);
                }
                if (layer.Bias >= 0 && wanted[layer.Bias]) Accumulate(gradients, layer.Bias, g.sum(2));
                if (l > first)
                {
                    var a = Matrix(layer, parameters[layer.Weight]);
                    // Aᵀ·G: [C, in, R]; into a gathered first layer sample-major, (Aᵀ·G)ᵀ = Gᵀ·A: [C, R, in].
                    g = l == 1 && hot is not null ? torch.bmm(g.transpose(1, 2), a) : torch.bmm(a.transpose(1, 2), g);
                    owned = true;
                }
            }
            return gradients;
        }

        // 1 − tanh², from the output.
        private static torch.Tensor TanhDerivative(torch.Tensor output) => output.pow(Scalars.Two).neg_().add_(Scalars.One, Scalars.One);

        private static void Accumulate(torch.Tensor?[] gradients, int index, torch.Tensor value) =>
            gradients[index] = gradients[index] is { } earlier ? earlier.add_(value, Scalars.One) : value;

        internal static torch.Tensor ActivationGradient(torch.Tensor g, bool owned, StackActivation activation, torch.Tensor kept) => activation switch
        {
            StackActivation.Identity => g,
            // ReLU's output is ≥ 0, so its sign is the 0/1 derivative (a float multiply; a boolean mask is 4× slower).
            StackActivation.Relu => owned ? g.mul_(kept.sign()) : g * kept.sign(),
            StackActivation.Tanh => owned ? g.mul_(TanhDerivative(kept)) : g * TanhDerivative(kept),
            StackActivation.Gelu => GeluGradient(g, kept),
            _ => throw new InvalidOperationException($"unknown activation {activation}"),
        };

        // g · (Φ(y) + y·φ(y)) for the pre-activation y, by torch's own GELU backward: one fused pass (plus the forward
        // again) where the formula written with tensor operations took eleven passes and four temporaries.
        private static torch.Tensor GeluGradient(torch.Tensor g, torch.Tensor preActivation)
        {
            using var enable = torch.enable_grad();
            var y = preActivation.detach().requires_grad_(true);
            var activation = torch.nn.functional.gelu(y);
            return torch.autograd.grad([activation], [y], [g])[0];
        }
    }
}
