namespace DevInterp.Cli;

/// <summary>
/// The command a batch job runs as devinterp: the same devinterp that submitted it, named by an absolute path so every
/// node of a cluster runs it from the shared filesystem (docs/cluster.md).
/// </summary>
public static class DevinterpLauncher
{
    private static readonly string[] LauncherNames = ["devinterp", "DevInterp.Cli"];

    /// <summary>
    /// <paramref name="given"/> (an executable path, made absolute; a bare name is looked up on the nodes' PATH), else this
    /// process's launcher: the built <c>devinterp</c> (or a <c>dotnet tool</c>'s shim) when that is what runs, else the
    /// <c>devinterp</c> beside DevInterp.Cli.dll, else <c>dotnet exec DevInterp.Cli.dll</c>.
    /// </summary>
    /// <exception cref="UsageException">The given path does not exist.</exception>
    public static IReadOnlyList<string> Resolve(string? given)
    {
        if (given is not null)
        {
            if (!given.Contains('/')) return [given];
            string full = Path.GetFullPath(given);
            if (!File.Exists(full)) throw new UsageException($"--devinterp '{given}': no such file (give the built devinterp, e.g. src/DevInterp.Cli/bin/Release/net10.0/devinterp)");
            return [full];
        }
        if (Environment.ProcessPath is { } process && LauncherNames.Contains(Path.GetFileName(process))) return [process];
        string dir = AppContext.BaseDirectory;
        foreach (string name in LauncherNames)
            if (File.Exists(Path.Combine(dir, name))) return [Path.Combine(dir, name)];
        string dll = Path.Combine(dir, "DevInterp.Cli.dll");
        string dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        return [dotnet, "exec", dll];
    }
}
