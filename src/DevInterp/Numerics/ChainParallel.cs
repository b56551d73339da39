using TorchSharp;

namespace DevInterp.Numerics;

/// <summary>
/// One task per chain on up to torch's intra-op thread count, for the managed kernels: the .NET thread pool, where
/// nothing spins while idle (OpenMP's threads busy-wait between regions unless OMP_WAIT_POLICY says otherwise).
/// </summary>
internal static class ChainParallel
{
    /// <summary>Runs <paramref name="body"/> for chains 0 … <paramref name="chains"/> − 1.</summary>
    public static void For(int chains, Action<int> body)
    {
        int threads = Math.Min(torch.get_num_threads(), chains);
        if (threads <= 1)
        {
            for (int c = 0; c < chains; c++) body(c);
            return;
        }
        Parallel.For(0, chains, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }
}
