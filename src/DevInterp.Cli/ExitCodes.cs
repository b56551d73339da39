namespace DevInterp.Cli;

/// <summary>Process exit codes of every devinterp command (documented in docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;
    /// <summary>Usage error: unknown command or option, missing or invalid argument.</summary>
    public const int Usage = 1;
    /// <summary>Bad input: unreadable, corrupt or unsuitable file, directory or data.</summary>
    public const int BadInput = 2;
    /// <summary>Partial failure: some items (checkpoints) failed, the rest completed.</summary>
    public const int PartialFailure = 3;
}
