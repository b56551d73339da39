namespace DevInterp.Cluster;

/// <summary>A Slurm command failed or Slurm cannot be reached; the message is one line naming the command and the fix.</summary>
public sealed class SlurmException(string message) : Exception(message);
