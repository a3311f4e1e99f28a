"""Neural ODE trained with explicit Euler on the pendulum learns the IMDE (and its divergence).

Zhu, Jin, Zhu & Tang, ICML 2022, arXiv 2206.07335: training ``f_θ`` with the one-step loss
``‖Φ_h[f_θ](y0) − φ_h(y0)‖²`` returns the inverse modified equation ``f_h = f + h f'f/2 + …`` of
the integrator, not ``f``; Euler is not symplectic, so the learned field has the IMDE's divergence
``−h cos q + O(h²)`` although the pendulum's flow preserves area.
"""
from symrmt.derivation import IMDEDerivation


class IMDEPendulum(IMDEDerivation):
    """``q' = p, p' = −sin q``; explicit Euler, h = 1/10."""

    name = "imde-pendulum"
    summary = "Euler-trained neural ODE on the pendulum learns the IMDE f + h f'f/2 + ..., not f"
    system = "pendulum"
    method = "euler"


DERIVATION = IMDEPendulum()
