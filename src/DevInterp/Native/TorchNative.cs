using System.Reflection;
using System.Runtime.InteropServices;

namespace DevInterp.Native;

/// <summary>
/// Loads TorchSharp's native library before TorchSharp itself asks for it. Hosts that resolve TorchSharp from the NuGet
/// cache (notebooks) call <see cref="EnsureLoaded"/> first so that the patched <c>libLibTorchSharp.so</c> that sits
/// beside this assembly is the one the process uses (see docs/setup.md for why the library needs a patch on Debian 12).
/// </summary>
public static class TorchNative
{
    private static readonly object Gate = new();
    private static bool _loaded;

    /// <summary>Preloads the native libraries shipped next to the DevInterp assembly, if present. Idempotent.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_loaded) return;
            OpenMpPolicy.Apply();
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                string baseDir = Path.GetDirectoryName(typeof(TorchNative).Assembly.Location) ?? AppContext.BaseDirectory;
                string native = Path.Combine(baseDir, "runtimes", "linux-x64", "native");
                // Order matters: libtorch's dependencies first, then the TorchSharp shim that links against them.
                foreach (string name in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so", "libLibTorchSharp.so" })
                {
                    string path = Path.Combine(native, name);
                    if (File.Exists(path)) NativeLibrary.Load(path);
                }
            }
            // Touch torch so that its own initialisation runs now and any failure surfaces here, with context.
            try
            {
                _ = TorchSharp.torch.zeros(1);
            }
            catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException)
            {
                throw new InvalidOperationException(
                    "TorchSharp's native library could not be loaded. On Debian 12 the build patches libLibTorchSharp.so " +
                    "(GLIBCXX_3.4.32 marked weak); rebuild the project (dotnet build) so the patch runs. Cause: " +
                    (e.InnerException?.Message ?? e.Message), e);
            }
            _loaded = true;
        }
    }
}
