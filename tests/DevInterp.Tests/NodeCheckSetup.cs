using System.Diagnostics;
using System.Text.Json;

namespace DevInterp.Tests;

/// <summary>
/// Makes the external checkers runnable (node, the pinned npm packages of a .ci/ check folder, Debian's chromium) so
/// that the README's test command passes on a fresh clone with nothing installed by hand. What is missing is installed
/// once per test process: <c>npm ci</c> from the committed lock file, and chromium or nodejs with apt-get when the
/// process is root or may use sudo without a password. When something cannot be installed, the returned problem says
/// what is missing and how to install it; callers fail the test with it (a missing checker is never a silent pass).
/// </summary>
public static class NodeCheckSetup
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, string?> Prepared = [];

    /// <summary>Chromium's path: <c>CHROMIUM_PATH</c> if set, else Debian's <c>/usr/bin/chromium</c>.</summary>
    public static string Chromium => Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    /// <summary>node on PATH, or null.</summary>
    public static string? Node => FindOnPath("node");

    /// <summary>
    /// Ensures node, the packages pinned in <paramref name="checkDir"/>/package.json and (when asked) chromium are
    /// present, installing what is missing. Returns null when all is ready, else the problem in words.
    /// </summary>
    public static string? Ensure(string checkDir, bool chromium)
    {
        string key = $"{checkDir}|{chromium}";
        lock (Gate)
        {
            if (Prepared.TryGetValue(key, out var known)) return known;
            string? problem = Prepare(checkDir, chromium);
            Prepared[key] = problem;
            return problem;
        }
    }

    private static string? Prepare(string checkDir, bool chromium)
    {
        if (Node is null && !AptInstall(["nodejs", "npm"], out string nodeError))
            return $"node is not on PATH and could not be installed ({nodeError})";
        if (Node is null) return "node is not on PATH (apt-get installed nodejs, but no node command appeared)";
        if (PackageProblem(checkDir) is not null)
        {
            string? npm = FindOnPath("npm");
            if (npm is null) return $"npm is not on PATH, so the packages of {checkDir} cannot be installed";
            var (code, output) = Run(npm, checkDir, TimeSpan.FromMinutes(10), "ci", "--no-audit", "--no-fund");
            if (code != 0) return $"`npm ci` in {checkDir} failed (exit {code}): {Tail(output)}";
            if (PackageProblem(checkDir) is { } still) return $"after `npm ci` in {checkDir}: {still}";
        }
        if (chromium && !File.Exists(Chromium))
        {
            if (Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 })
                return $"CHROMIUM_PATH is {Chromium}, which does not exist";
            if (!AptInstall(["chromium"], out string error)) return $"{Chromium} is missing and could not be installed ({error})";
            if (!File.Exists(Chromium)) return $"apt-get installed chromium, but {Chromium} does not exist";
        }
        return null;
    }

    /// <summary>Null when every dependency pinned in package.json is installed at its pinned version.</summary>
    private static string? PackageProblem(string checkDir)
    {
        using var pinned = JsonDocument.Parse(File.ReadAllText(Path.Combine(checkDir, "package.json")));
        foreach (var dependency in pinned.RootElement.GetProperty("dependencies").EnumerateObject())
        {
            string installed = Path.Combine(checkDir, "node_modules", dependency.Name, "package.json");
            if (!File.Exists(installed)) return $"{installed} is missing";
            using var actual = JsonDocument.Parse(File.ReadAllText(installed));
            string have = actual.RootElement.GetProperty("version").GetString()!;
            if (have != dependency.Value.GetString())
                return $"{dependency.Name} {have} is installed but package.json pins {dependency.Value.GetString()}";
        }
        return null;
    }

    /// <summary>apt-get as root, or through sudo when it needs no password; false (with the reason) when neither is possible.</summary>
    internal static bool AptInstall(IReadOnlyList<string> packages, out string error)
    {
        string package = string.Join(' ', packages);
        string? apt = FindOnPath("apt-get");
        if (apt is null) { error = "no apt-get on this system: install it by hand"; return false; }
        bool root = Environment.UserName == "root";
        string? sudo = root ? null : FindOnPath("sudo");
        if (!root && (sudo is null || Run(sudo, ".", TimeSpan.FromSeconds(20), "-n", "true").Code != 0))
        {
            error = $"not root and sudo needs a password: run `sudo apt-get install -y {package}`";
            return false;
        }
        string[] Command(params string[] a) => root ? a : ["-n", apt, .. a];
        string exe = root ? apt : sudo!;
        Console.Error.WriteLine($"[test setup] apt-get install {package}");
        var update = Run(exe, ".", TimeSpan.FromMinutes(10), Command("update"));
        if (update.Code != 0) { error = $"apt-get update failed: {Tail(update.Output)}"; return false; }
        var install = Run(exe, ".", TimeSpan.FromMinutes(20), Command(["install", "-y", "--no-install-recommends", .. packages]));
        if (install.Code != 0) { error = $"apt-get install {string.Join(' ', packages)} failed: {Tail(install.Output)}"; return false; }
        error = "";
        return true;
    }

    private static (int Code, string Output) Run(string exe, string dir, TimeSpan limit, params string[] args)
    {
        var info = new ProcessStartInfo(exe)
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{Path.GetFileName(exe)} {string.Join(' ', args)} ran for more than {limit}");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string Tail(string text) => text.Length <= 400 ? text.Trim() : "…" + text[^400..].Trim();

    /// <summary>The first file called <paramref name="name"/> in a PATH folder, or null.</summary>
    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
