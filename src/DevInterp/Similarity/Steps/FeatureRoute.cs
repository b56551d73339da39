using TorchSharp;

namespace DevInterp.Similarity.Steps;

/// <summary>
/// ⟨K_t, K_s⟩ = ‖F_tᵀF_s‖²_F for all checkpoint pairs in feature space. Checkpoints are taken in groups whose
/// concatenated factors Z_A = [F_a₁ … F_a_g] have about <c>tileColumns</c> columns; one product Z_Aᵀ·Z_B then holds
/// every F_aᵀF_b of the two groups as d × d blocks, whose squared entries are summed per block.
/// </summary>
internal static class FeatureRoute
{
    public static double[,] InnerProducts(IReadOnlyList<torch.Tensor> factors, int tileColumns)
    {
        int t = factors.Count;
        long d = factors[0].shape[1];
        int group = (int)Math.Clamp(tileColumns / Math.Max(1, d), 1, t);
        var result = new double[t, t];
        for (int a0 = 0; a0 < t; a0 += group)
        {
            int ga = Math.Min(group, t - a0);
            using var scope = torch.NewDisposeScope();
            var za = torch.cat(factors.Skip(a0).Take(ga).ToList(), 1);
            for (int b0 = a0; b0 < t; b0 += group)
            {
                int gb = Math.Min(group, t - b0);
                using var inner = torch.NewDisposeScope();
                var zb = b0 == a0 ? za : torch.cat(factors.Skip(b0).Take(gb).ToList(), 1);
                var blocks = za.t().matmul(zb).view(ga, d, gb, d).square().sum([1, 3]).contiguous();
                var values = blocks.data<double>().ToArray();
                for (int i = 0; i < ga; i++)
                    for (int j = 0; j < gb; j++)
                    {
                        result[a0 + i, b0 + j] = values[i * gb + j];
                        result[b0 + j, a0 + i] = values[i * gb + j];
                    }
            }
        }
        return result;
    }
}
