using TorchSharp;

namespace DevInterp.Tests.Native;

public class TorchAutogradTests
{
    [Fact]
    public void GradientOfSumOfCubesIsThreeXSquared()
    {
        DevInterp.Native.TorchNative.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { -1.5, 0.0, 2.0, 3.0 }, requires_grad: true);
        var y = (x * x * x).sum();
        y.backward();
        double[] grad = x.grad!.data<double>().ToArray();
        Assert.Equal(new[] { 6.75, 0.0, 12.0, 27.0 }, grad);
    }
}
