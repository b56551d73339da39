namespace DevInterp.Llc.Potentials;

/// <summary>
/// An <see cref="IChainPotential"/> that evaluates the full-data loss L_n at a cost that does not grow with n (from
/// sufficient statistics), and has no minibatches: the estimator always runs it in full-batch mode, where a
/// Metropolis-adjusted sampler is exact.
/// </summary>
public interface IFullBatchPotential : IChainPotential;
