using MathNet.Numerics.LinearAlgebra;
using TorchSharp;

namespace DevInterp.Numerics;

/// <summary>Copies between MathNet matrices / row-major arrays and float64 CPU TorchSharp tensors.</summary>
internal static class TorchMatrix
{
    /// <summary>A new contiguous float64 tensor of shape rows × columns holding a copy of <paramref name="matrix"/>.</summary>
    public static torch.Tensor ToTensor(Matrix<double> matrix)
    {
        // MathNet dense storage is column-major: read it as columns × rows and transpose.
        double[] columnMajor = matrix.Storage is MathNet.Numerics.LinearAlgebra.Storage.DenseColumnMajorMatrixStorage<double> dense
            ? dense.Data
            : matrix.ToColumnMajorArray();
        using var t = torch.tensor(columnMajor, [matrix.ColumnCount, matrix.RowCount], torch.float64);
        return t.t().contiguous();
    }

    /// <summary>The entries of a 2-D tensor, converted to float64, row-major.</summary>
    public static double[] ToRowMajor(torch.Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        var c = tensor.cpu().to_type(torch.float64).contiguous();
        // Straight from the storage: the element-wise accessor (data<double>().ToArray()) is ~20× slower.
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(c.bytes).ToArray();
    }

    /// <summary>A 2-D tensor as an immutable result matrix.</summary>
    public static ReadOnlyMatrix ToReadOnly(torch.Tensor tensor)
    {
        if (tensor.dim() != 2) throw new ArgumentException($"tensor: expected 2 dimensions, got {tensor.dim()}");
        return new ReadOnlyMatrix((int)tensor.shape[0], (int)tensor.shape[1], ToRowMajor(tensor));
    }

    /// <summary>A 1-D tensor's entries as float64.</summary>
    public static double[] ToArray(torch.Tensor tensor)
    {
        using var flat = tensor.reshape(-1);
        return ToRowMajor(flat);
    }
}
