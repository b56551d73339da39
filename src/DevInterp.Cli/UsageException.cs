namespace DevInterp.Cli;

/// <summary>A command-line usage error (bad option value, conflicting options): exit code 1.</summary>
public sealed class UsageException(string message) : Exception(message);
