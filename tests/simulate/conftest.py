"""Shared tolerance rule for theory-vs-simulation tests of the learning-curve equivalents."""


def within(theory: float, sim, name: str, size: int, k_se: float = 4.0, c_fs: float = 3.0) -> bool:
    """|mean − theory| ≤ k_se·stderr + c_fs·|theory|/size: Monte-Carlo error (k_se standard errors,
    about 1e-4 false-alarm rate) plus the O(1/size) finite-size bias of the deterministic equivalent."""
    return abs(sim.mean(name) - theory) <= k_se * sim.stderr(name) + c_fs * abs(theory) / size
