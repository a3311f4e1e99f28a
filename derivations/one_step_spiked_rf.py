"""Feature learning after one large gradient step: the spiked random-features equivalent of a
two-layer network (Cui et al., arXiv 2402.04980; Dandi et al., arXiv 2410.18938).  The spike
parameters r, c, γ come from Gaussian integrals of σ, σ′, σ*; the readout's test error from the
conditional Gaussian-equivalence fixed point (generated solver); both are checked on networks
trained in torch (one full-batch gradient step, then ridge on the readout).

Default ``model="network"``, ``form="given-layer"``: the trained network, and the fixed point on
its own first layer — spike (the mean row update), bulk spectrum and the quadratic and cross forms
of the spike and target directions all read from the trained ``W1``
(:func:`symrmt.equivalents.solve_one_step_given_layer`).  ``solve`` averages it over ``layers``
layers trained at dimension ``d`` (``test_error_sd``: their spread); ``verify`` compares every
trial with the theory of its own layer.  ``form="limit"`` is the d → ∞ spiked model, which the
network departs from at finite α0 (tables below); ``model="spiked"`` trains that model.
Trained networks against the theory on their layer and against the spiked limit (η̃ = 2, λ = 0.05,
width 1, d = 1000, 10 trials per point; ``examples/one_step_network_gap.py --d 1000 --trials 10
--alphas 0.5,1,2,4``, seed 0 for relu/tanh, 1 for relu/relu; diff = network − theory on the layer):

    σ/σ*        α    α0   network           on the layer  diff               spiked limit  network/limit − 1
    relu/tanh  0.5    1   0.4006 ± 0.0031   0.3969        +0.0037 ± 0.0027   0.4112        −2.6 %
    relu/tanh  0.5    2   0.3522 ± 0.0029   0.3536        −0.0014 ± 0.0026   0.3718        −5.3 %
    relu/tanh  0.5    8   0.3192 ± 0.0033   0.3196        −0.0004 ± 0.0033   0.3296        −3.2 %
    relu/tanh    1    1   0.3792 ± 0.0039   0.3840        −0.0049 ± 0.0043   0.4011        −5.5 %
    relu/tanh    1    2   0.3370 ± 0.0033   0.3410        −0.0041 ± 0.0028   0.3615        −6.8 %
    relu/tanh    1    8   0.3133 ± 0.0024   0.3122        +0.0012 ± 0.0025   0.3238        −3.2 %
    relu/tanh    2    1   0.3104 ± 0.0033   0.3107        −0.0004 ± 0.0027   0.3240        −4.2 %
    relu/tanh    2    2   0.2911 ± 0.0023   0.2906        +0.0004 ± 0.0021   0.3068        −5.1 %
    relu/tanh    2    8   0.2811 ± 0.0020   0.2801        +0.0010 ± 0.0022   0.2888        −2.7 %
    relu/tanh    4    1   0.2564 ± 0.0022   0.2582        −0.0017 ± 0.0018   0.2633        −2.6 %
    relu/tanh    4    2   0.2493 ± 0.0019   0.2497        −0.0004 ± 0.0016   0.2598        −4.0 %
    relu/tanh    4    8   0.2483 ± 0.0014   0.2497        −0.0015 ± 0.0014   0.2555        −2.8 %
    relu/relu  0.5    1   0.2600 ± 0.0032   0.2599        +0.0001 ± 0.0032   0.2413        +7.7 %
    relu/relu  0.5    2   0.2112 ± 0.0051   0.2061        +0.0051 ± 0.0039   0.1973        +7.0 %
    relu/relu  0.5    8   0.1451 ± 0.0020   0.1444        +0.0007 ± 0.0015   0.1554        −6.6 %
    relu/relu    1    1   0.2469 ± 0.0018   0.2503        −0.0034 ± 0.0017   0.2397        +3.0 %
    relu/relu    1    2   0.1959 ± 0.0023   0.1959        −0.0001 ± 0.0020   0.1937        +1.1 %
    relu/relu    1    8   0.1361 ± 0.0017   0.1360        +0.0001 ± 0.0012   0.1528        −10.9 %
    relu/relu    2    1   0.2073 ± 0.0029   0.2059        +0.0014 ± 0.0022   0.1902        +9.0 %
    relu/relu    2    2   0.1660 ± 0.0011   0.1619        +0.0041 ± 0.0015   0.1561        +6.3 %
    relu/relu    2    8   0.1131 ± 0.0012   0.1129        +0.0001 ± 0.0012   0.1251        −9.6 %
    relu/relu    4    1   0.1623 ± 0.0023   0.1625        −0.0002 ± 0.0012   0.1463        +10.9 %
    relu/relu    4    2   0.1260 ± 0.0018   0.1257        +0.0002 ± 0.0010   0.1218        +3.4 %
    relu/relu    4    8   0.0896 ± 0.0015   0.0891        +0.0005 ± 0.0010   0.0990        −9.5 %

On the trained layer the theory agrees at all 24 points: χ² = 8.2 (relu/tanh) and 14.1 (relu/relu)
on 12 points each, largest |z| 1.5 and 2.7.  The spiked limit is off by −2.6 to −6.8 % (relu/tanh)
and −10.9 to +10.9 % (relu/relu, sign changing with α0).

``form="trained-limit"``: the same trained network at d → ∞, with no drawn layer
(:func:`symrmt.equivalents.solve_one_step_trained`).  The bulk's spectrum and the forms ``F, H, G``
of the spike and target directions are derived from the step's matrix expression: its linear
Hermite part, with the rest as noise, and ``diag(e)``, ``diag(z)`` as one commuting family, so
that the forms of vectors built from the batch are traces of a linear pencil.  At the 24 points
above it gives, for α = 0.5, 1, 2, 4:

    relu/tanh:  α0 = 1: 0.3983 0.3839 0.3133 0.2570   α0 = 2: 0.3547 0.3406 0.2921 0.2504
                α0 = 8: 0.3203 0.3123 0.2807 0.2507
    relu/relu:  α0 = 1: 0.2576 0.2512 0.2047 0.1612   α0 = 2: 0.2036 0.1978 0.1615 0.1276
                α0 = 8: 0.1445 0.1388 0.1130 0.0896

Against the networks, relu/tanh gives χ² = 8.6 on 12 points (largest |z| 1.7).  For relu/relu
two of the table's 10-trial points were far from it.  At α = 2, α0 = 2 the table has
0.1660 ± 0.0011 (z = 4.1); 24 new trials at seed 500 give 0.1596 ± 0.0015 (z = −1.3, and 0.1610
on the layer).  At α = 1, α0 = 1 the table has 0.2469 ± 0.0018 (z = −2.4); 24 new trials at seed
600 give 0.2537 ± 0.0027 (z = +0.9, and 0.2514 on the layer).  With these two points relu/relu
gives χ² = 10.6 on 12 points (largest |z| 1.6).  It also
explains the tanh gap that the spiked model left: tanh/tanh at α = 1 gives 0.1748, 0.1157 and
0.0497 at α0 = 1, 2, 8, against the networks' 0.1755 ± 0.0015, 0.1174 ± 0.0011 and
0.0494 ± 0.0004 (32 trials); the spiked model gives 0.1695, 0.1143 and 0.0497.  Its gap to the
spiked limit vanishes as the batch grows (relu/tanh, α = 1): −4.3, −5.8, −3.6, −1.1 and −0.3 % at
α0 = 1, 2, 8, 32 and 128.  Not in it: the
higher Hermite part of the step (−0.0029 ± 0.0010 for relu/tanh on drawn layers), several steps,
multi-index targets.

The odd students (d = 1000, 10 trials, α = 1; seeds 2 and 3), where the spiked model already held:
tanh/relu at α0 = 1, 2, 8: network 0.5519 ± 0.0060, 0.5108 ± 0.0086, 0.4558 ± 0.0054; on the layer
0.5463, 0.5114, 0.4569 (differences +0.0056 ± 0.0055, −0.0006 ± 0.0088, −0.0012 ± 0.0050); tanh/tanh
0.1745 ± 0.0042, 0.1138 ± 0.0018, 0.0498 ± 0.0007 against 0.1741, 0.1154, 0.0498 (+0.0004 ± 0.0016,
−0.0017 ± 0.0013, −0.0000 ± 0.0006).

More than one step (``steps``; Dandi et al., arXiv 2305.18270: several large steps on fresh
batches): the cumulative update still has one common spike ``1m̄ᵀ`` (every neuron sees the same
residual, so the next step's mean update is common too) plus a bulk.  The spiked model carries its
spike ``(r, c, γ)`` from step to step by Gaussian integrals (:func:`symrmt.equivalents.next_spike`:
the next residual is ``σ*(z) − μ0(κ)``), and ``form="limit"``, ``"finite-d"`` and ``model="spiked"``
use it.  Trained layers against it, and test errors (α = 1, α0 = 2, η̃ = 2, λ = 0.05, width 1,
d = 1000, 10 trials, seed 70; ``examples/several_steps.py --d 1000 --trials 10 --seed 70 --steps 2,3
--pair ...``; "spiked": trained spiked models with the recursion's spike):

    σ/σ*       steps  r: layers / recursion   c: layers / recursion   γ: layers / recursion
    relu/tanh    2    0.8213 ± 0.0063 / 0.8249   0.7193 ± 0.0017 / 0.7191   0.7865 ± 0.0057 / 0.7815
    relu/tanh    3    0.8125 ± 0.0044 / 0.8099   0.6233 ± 0.0018 / 0.6206   0.7845 ± 0.0065 / 0.7843
    relu/relu    2    0.9032 ± 0.0077 / 0.9056   1.0375 ± 0.0025 / 1.0370   0.8845 ± 0.0021 / 0.8829
    relu/relu    3    0.9757 ± 0.0045 / 0.9754   0.9594 ± 0.0030 / 0.9579   0.9262 ± 0.0014 / 0.9270
    tanh/relu    2    0.9577 ± 0.0067 / 0.9587   1.1116 ± 0.0032 / 1.1154   0.8441 ± 0.0022 / 0.8436
    tanh/relu    3    1.0182 ± 0.0042 / 1.0158   1.1593 ± 0.0038 / 1.1614   0.9034 ± 0.0012 / 0.9023
    tanh/tanh    2    1.0525 ± 0.0035 / 1.0591   1.0298 ± 0.0014 / 1.0346   0.9302 ± 0.0014 / 0.9287
    tanh/tanh    3    1.1545 ± 0.0032 / 1.1556   1.0073 ± 0.0018 / 1.0078   0.9698 ± 0.0006 / 0.9703

    σ/σ*       steps  network           on the layer  diff                spiked            limit    network/limit − 1
    relu/tanh    2    0.3080 ± 0.0015   0.3083        −0.0003 ± 0.0013    0.3190 ± 0.0026   0.3218   −4.3 %
    relu/tanh    3    0.2892 ± 0.0024   0.2899        −0.0007 ± 0.0017    0.2977 ± 0.0023   0.3003   −3.7 %
    relu/relu    2    0.1136 ± 0.0015   0.1119        +0.0017 ± 0.0018    0.1163 ± 0.0009   0.1158   −1.8 %
    relu/relu    3    0.0727 ± 0.0004   0.0734        −0.0007 ± 0.0007    0.0815 ± 0.0013   0.0813   −10.6 %
    tanh/relu    2    0.4681 ± 0.0055   0.4704        −0.0023 ± 0.0048    0.4793 ± 0.0056   0.4750   −1.4 %
    tanh/relu    3    0.4390 ± 0.0052   0.4517        −0.0127 ± 0.0053    0.4592 ± 0.0046   0.4591   −4.4 %
    tanh/tanh    2    0.0488 ± 0.0007   0.0489        −0.0001 ± 0.0006    0.0500 ± 0.0006   0.0494   −1.3 %
    tanh/tanh    3    0.0233 ± 0.0007   0.0232        +0.0001 ± 0.0003    0.0233 ± 0.0002   0.0231   +0.6 %

(one step, for comparison, the limit is 0.3615, 0.1937, 0.5084, 0.1143 in this order.)  The recursion
holds within 1–2 SE except tanh/tanh's c after two steps (−3.4 SE, 0.5 %); the spiked models match
their limit (largest |z| 1.1); the theory on the trained layer follows the network (largest |z|
2.4, tanh/relu at three steps).  The networks sit below the spiked limit by 1–11 %, as after one
step: the trained bulk is not ``cW0`` (the same structure the given-layer form reads).

Multi-index targets (``target="staircase2"`` = z1 + z1z2, ``"staircase3"`` = z1 + z1z2 + z1z2z3;
Abbe et al., arXiv 2202.08658; from Python any SymPy expression in 2–3 indices).  The spike stays
one direction; the recursion carries its cosines with every target direction, and the fixed point
has one ψ per residual direction (:mod:`symrmt.equivalents.spiked`).  The staircase is learned
direction by direction only where ``E[κμ1(κ)] ≠ 0``: a ReLU student turns towards z2 at the second
step, a tanh student (even σ′) never does.  ``form="limit"`` and ``"given-layer"`` take these
targets (``"finite-d"`` and drawn spiked layers are single-index).  Staircase2, α = 2, α0 = η̃ = 2,
λ = 0.05, d = 1000, 10 trials, seed 80 (``examples/several_steps.py --d 1000 --trials 10 --seed 80
--pair relu/staircase2 --alpha 2``; Var y = 2):

    σ     steps  γ1: layers / recursion   γ2: layers / recursion    network           on the layer  diff                spiked            limit
    relu    1    0.6866 ± 0.0058 / 0.6934   −0.0066 ± 0.0104 / 0       2.1450 ± 0.0289   2.1525        −0.0075 ± 0.0273    2.2489 ± 0.0360   2.2502
    relu    2    0.6031 ± 0.0100 / 0.6024    0.2370 ± 0.0116 / 0.2417  1.9486 ± 0.0161   1.9617        −0.0131 ± 0.0196    2.1502 ± 0.0348   2.1512
    relu    3    0.6007 ± 0.0115 / 0.5845    0.1872 ± 0.0100 / 0.2011  1.9238 ± 0.0421   1.9144        +0.0094 ± 0.0387    2.1454 ± 0.0253   2.1184
    tanh    1    0.7009 ± 0.0058 / 0.7071   −0.0088 ± 0.0114 / 0       1.7619 ± 0.0230   1.7649        −0.0030 ± 0.0256    1.7555 ± 0.0228   1.7641
    tanh    2    0.8279 ± 0.0022 / 0.8327   −0.0056 ± 0.0078 / 0       1.5852 ± 0.0104   1.6079        −0.0227 ± 0.0088    1.6337 ± 0.0229   1.6240
    tanh    3    0.8960 ± 0.0020 / 0.8969    0.0027 ± 0.0086 / 0       1.5567 ± 0.0201   1.5076        +0.0491 ± 0.0183    1.5281 ± 0.0236   1.5325

Repeated with 20 trials (seed 90) at 2 and 3 steps: differences on the layer relu −0.0100 ± 0.0132,
+0.0146 ± 0.0191, tanh −0.0057 ± 0.0091, +0.0017 ± 0.0101 — the tanh z = −2.6, +2.7 above were
fluctuations of a heavy-tailed test error (y contains z1z2).  The recursion's cosines hold within
1.4 SE, the spiked models match the limit (|z| ≤ 1.4), and the networks sit 5–9 % (relu) and
0–2.4 % (tanh) below the limit.  Where the spiked route stops: the spike is one direction (the
readout a0 is uniform, so the neurons share it), so a staircase's later directions enter only
through that direction's cosines — z3 of staircase3 is not reached by a ReLU student in three steps
(``E[μ1(κ)(κ² − 1)] = 0`` for ``μ1 = Φ(rκ/c)``; trained, seed 95, 10 trials: cosine with z3
0.017 ± 0.010, with z2 0.149 ± 0.014 against the recursion's 0 and 0.143; test error 3.70 ± 0.06,
on the layer 3.80, limit 4.14); and the bulk's cross forms with the spike, which
the limit leaves out, are what the trained layer adds.

``form="finite-d"``: the same fixed point at finite d, conditional on the drawn first-layer
weights W0 (the authors' finite-d theory, which diagonalizes the drawn W0): ``solve`` draws W0, w*
and the spike direction at dimension ``d`` with ``weight_seed``; ``verify`` compares every trial
with the theory of its own draw (:func:`symrmt.equivalents.solve_one_step_conditional`).
Measured on single draws (α = 1, α0 = η̃ = 2, λ = 0.05, width 1; CPU; mean over trials of
|simulated − theory| for the d → ∞ theory and for the theory of the trial's own W0):

    model, σ/σ*          d    trials  seed   limit    finite-d   corr(sim, finite-d)
    spiked, tanh/tanh    200    40     1     0.0095    0.0071        0.65
    spiked, tanh/tanh    300    16     0     0.0066    0.0045        0.70
    spiked, tanh/tanh    500    24     2     0.0059    0.0040        0.78
    network, tanh/tanh   500    24     4     0.0061    0.0051        0.63
    spiked, relu/tanh    500    24     3     0.0117    0.0114        0.06

(test error ≈ 0.114 for tanh/tanh, 0.361 for relu/tanh).  For tanh the draw of W0 carries about
half of a single trial's variance (corr² = 0.4–0.6) and the finite-d theory removes it; for ReLU the spread (SD 0.014)
comes from the samples, not from W0 (the finite-d values vary by SD 0.004 only), so conditioning
on W0 gains nothing there.  With η̃ = 0 the finite-d theory equals the discrete deterministic
equivalent of the draw's Gaussian-equivalent features to 0.1–1.1 % (O(1/p), tests).  (Measured before the
cross forms G entered the fixed point; for a Gaussian W0 they average to 0.)

The trained network against the spiked model it is equivalent to at large batch, ReLU student and tanh target
(α = 1, η̃ = 2, λ = 0.05, width 1, d = 1000, CPU; "spiked": trained spiked-RF models with the
theory's r, c, γ; gap = network/spiked − 1 with its standard error):

    α0   theory   spiked            network           gap            trials  seeds (network, spiked)
     1   0.4011   0.4077 ± 0.0056   0.3729 ± 0.0035   −8.5 ± 1.5 %     10     21, 22
     1   0.4011   0.4030 ± 0.0028   0.3828 ± 0.0030   −5.0 ± 1.0 %     30     31, 32
     2   0.3615   0.3665 ± 0.0044   0.3395 ± 0.0025   −7.4 ± 1.3 %     10     21, 22
     2   0.3615   0.3630 ± 0.0021   0.3378 ± 0.0021   −7.0 ± 0.8 %     30     31, 32
     8   0.3238   0.3274 ± 0.0040   0.3074 ± 0.0023   −6.1 ± 1.3 %     10     21, 22
     8   0.3238   0.3237 ± 0.0016   0.3117 ± 0.0014   −3.7 ± 0.7 %     30     31, 32
    32   0.3121   0.3135 ± 0.0017   0.3061 ± 0.0016   −2.4 ± 0.7 %     16     41, 42

The spiked model matches the theory at every α0 (within 1.2 SE).  The network's error is below
it, by −6.1 ± 0.8 % at α0 = 1, −7.1 ± 0.7 % at α0 = 2, −4.2 ± 0.6 % at α0 = 8 (both runs pooled)
and −2.4 ± 0.7 % at α0 = 32: the gap shrinks as the batch grows (|gap| ∝ α0^(−0.4) over α0 = 2..32), towards the
large-batch equivalence of Dandi et al., but it is still 3–7 SE at α0 = 8–32 (for tanh/tanh it is
−0.6 ± 0.9 % already at α0 = 8).  The theory on the trained layer (top) follows the network at every
α0.  Other pairs (d = 1000, 12 trials, seeds 51, 52; α0 = 1, 2, 8): tanh/relu
−2.2 ± 1.6, +0.7 ± 1.2, −1.4 ± 1.3 % (no gap); relu/relu +4.3 ± 1.9, +4.7 ± 1.7, −10.9 ± 1.4 % — the
gap grows with α0 there, the one pair of these for which the rank-one Hermite correction
``τ′(W0w*)w*ᵀ``, ``τ = η̃ E σ″ E[σ*(z)(z² − 1)]`` (see :mod:`symrmt.equivalents.spiked`) is nonzero.

``hermite="on"`` (with ``form="finite-d"`` or ``"limit"``): the theory with that correction, with
the cross forms G it creates — on the drawn W0, or in closed form at d → ∞ (0.2126, 0.1669, 0.1273
at α0 = 1, 2, 8 below, the limit of the drawn form's 0.2154, 0.1659, 0.1271).  Trained relu/relu networks (α = 1, η̃ = 2, λ = 0.05, width 1, d = 1000,
8 trials, seeds 201, 202, 208; each trial against the theory of its own W0 or its own layer;
gap = network/theory − 1):

    α0   network           limit    finite-d  gap            + Hermite  gap             on the layer  gap
     1   0.2439 ± 0.0041   0.2397   0.2429    +0.4 ± 1.3 %   0.2154    +13.2 ± 1.4 %   0.2523        −3.4 ± 1.3 %
     2   0.1967 ± 0.0027   0.1937   0.1925    +2.2 ± 1.4 %   0.1659    +18.6 ± 1.7 %   0.1980        −0.6 ± 1.3 %
     8   0.1385 ± 0.0027   0.1528   0.1525    −9.2 ± 1.6 %   0.1271     +9.0 ± 1.9 %   0.1381        +0.3 ± 1.5 %

(The same networks as before the cross forms; without them the Hermite column read +11.8, +12.1,
+1.3 %: the rank-one term's correlation of ``Bv̂`` with ``Bζ̂`` pushes it further off.)

The rank-one term alone is not the trained bulk: the theory on the trained layer supersedes it,
and ``hermite`` stays ``"off"`` by default.
"""
import numpy as np
import sympy as sp

from symrmt.derivation import LearningCurveDerivation, Parameter
from symrmt.equivalents import (ACTIVATION_NAMES, draw_one_step_weights, solve_one_step, solve_one_step_conditional,
                                solve_one_step_given_layer, solve_one_step_trained, spike_parameters, spike_values, spiked_feature_cdf,
                                spiked_feature_spectrum)
from symrmt.errors import ParameterError
from symrmt.simulate import simulate_one_step, train_first_layer
from symrmt.symbolic import STAIRCASES, index_target


class OneStepSpikedRF(LearningCurveDerivation):
    """x ~ N(0, I_d); p = width·d neurons; one step of size η̃ on n0 = α0 d samples; ridge readout
    on n = α d fresh samples with loss ‖y − Fw/√p‖² + λ‖w‖²."""

    name = "one-step-spiked-rf"
    summary = "Two-layer network after one large gradient step: spiked random features (r, c, γ) and test error"
    reference = "Cui et al., arXiv 2402.04980; Dandi et al., arXiv 2410.18938"
    quantity = "test_error"
    parameters = (
        Parameter("alpha", 1, "n/d (readout samples)", low=0),
        Parameter("alpha0", 2, "n0/d (samples in the gradient step)", low=0),
        Parameter("eta", 2, "η̃ (learning rate η = η̃ p); 0 gives random features", low=0, low_inclusive=True),
        Parameter("ridge", 0.05, "λ in ‖y − Fw/√p‖² + λ‖w‖²", low=0),
        Parameter("width", 1, "p/d", low=0),
        Parameter("d", 1000, "input dimension of the first layer drawn by solve with form='given-layer' or "
                  "'finite-d' (verify: the ladder)", low=2, low_inclusive=True, integer=True),
        Parameter("weight_seed", 0, "seed of the first layer (W0, w*, the step or the spike direction) drawn by "
                  "solve with form='given-layer' or 'finite-d'", low=0, low_inclusive=True, integer=True),
        Parameter("steps", 1, "large gradient steps, each on a fresh batch of n0 samples (the spiked model's "
                  "r, c, γ after that many steps: symrmt.equivalents.next_spike)", low=1, low_inclusive=True,
                  integer=True),
        Parameter("layers", 4, "first layers drawn (seeds weight_seed, weight_seed + 1, ...) and averaged by solve "
                  "with form='given-layer'", low=1, low_inclusive=True, integer=True),
    )
    solve_only = ("d", "weight_seed", "layers")
    #: ``model``: what ``simulate``/``verify`` train and what ``solve`` draws with
    #: ``form="given-layer"`` — ``"network"`` (default: the actual gradient step) or ``"spiked"``
    #: (the spiked random-features model W1 = cW0 + (r/√d)1vᵀ with the theory's r, c, γ)
    #: ``form``: the theory's form — ``"given-layer"`` (default: the fixed point on the drawn first
    #: layer itself, spike, bulk and cross forms read from W1: the network's finite-α0 theory),
    #: ``"limit"`` (d → ∞ spiked model), ``"finite-d"`` (the spiked model conditional on the drawn W0) or
    #: ``"trained-limit"`` (the trained layer at d → ∞: spectrum and forms of its bulk derived from the step's
    #: matrix expression, symrmt.equivalents.solve_one_step_trained; one step, single-index targets)
    #: ``hermite``: ``"off"`` (default) or ``"on"`` — with ``form="limit"`` or ``"finite-d"``, include the rank-one
    #: Hermite correction τ′(W0w*)w*ᵀ of the bulk (nonzero for relu/relu; see symrmt.equivalents.spiked)
    options = {"activation": "tanh", "target": "tanh", "model": "network", "form": "given-layer", "hermite": "off"}
    option_choices = {"activation": ACTIVATION_NAMES, "target": ACTIVATION_NAMES + tuple(STAIRCASES),
                      "model": ("network", "spiked"),
                      "form": ("given-layer", "limit", "finite-d", "trained-limit"), "hermite": ("off", "on")}
    sizes = (200, 400, 800, 1600)
    quick_sizes = (50, 100, 200, 400)
    # learning curve in alpha after one step, against the random-features curve (eta = 0) it improves on
    curve = ("alpha", np.geomspace(0.2, 5, 60), (0.3, 1.0, 2.0, 4.0), {},
             {"random features (eta = 0)": {"eta": 0}})

    def equations(self):
        tgt = index_target(self.options["target"])
        if tgt.k == 1:
            sp_ = spike_parameters(self.options["activation"], self.options["target"])
            out = [(name, sp.Eq(sp.Symbol(name), expr)) for name, expr in
                   (("r", sp_.r), ("c", sp_.c), ("gamma", sp_.gamma))]
        else:
            out = [("target (z_a = w_a·x, orthonormal w_a)", sp.Eq(sp.Symbol("y"), tgt.expr)),
                   *_recursion_equations()]
        k = sp.Symbol("kappa")
        E = sp.Function("E_kappa")
        mu0, mu1, mu2, h, h1, hh = (sp.Function(n)(k) for n in ("mu0", "mu1", "mu2", "h", "h1", "hh"))
        V1, V2, Vh1, Vh2, mA, t, a, lam, c, wd = sp.symbols("V1 V2 Vh1 Vh2 m_A t a lambda c width")
        D = 1 + mu1**2 * V1 + mu2**2 * V2
        z = sp.Symbol("z")
        out += [
            ("conditional GET coefficients", sp.Eq(mu0, sp.Function("E_z")(sp.Function("sigma")(sp.Symbol("r") * k + c * z)))),
            ("V̂1 (a = alpha/width)", sp.Eq(Vh1, a * E(mu1**2 / D))),
            ("V̂2", sp.Eq(Vh2, a * E(mu2**2 / D))),
            ("t", sp.Eq(t, (lam + Vh2) / (c**2 * Vh1))),
            ("Marchenko–Pastur(width) at −t", sp.Eq(-wd * t * mA**2 + (-t - 1 + wd) * mA + 1, 0)),
            ("V1 = tr Ω S⁻¹", sp.Eq(V1, (1 - t * mA) / Vh1)),
            ("V2 = tr S⁻¹", sp.Eq(V2, mA / (c**2 * Vh1))),
            ("test error (θ, m, ψ, q1, q2 from linear equations)",
             sp.Eq(sp.Symbol("test_error"), E(hh + sp.Symbol("C")**2 - 2 * sp.Symbol("C") * h
                                              - 2 * mu1 * sp.Symbol("psi") * h1 + mu1**2 * sp.Symbol("q1")
                                              + mu2**2 * sp.Symbol("q2")))),
        ]
        return out

    def solve_arrays(self, alpha, alpha0, eta, ridge, width, steps=1, d=1000, weight_seed=0, layers=4,
                     activation="tanh", target="tanh", model="network", form="given-layer", hermite="off"):
        drawn = _drawn(form, hermite, steps, model, target)
        if drawn and np.all(np.asarray(eta) == 0):
            drawn = None  # no step, no spike: random features, whose d → ∞ theory is the limit form
        if form == "trained-limit" and not np.all(np.asarray(eta) == 0):
            for k, v in (("alpha0", alpha0), ("eta", eta), ("width", width)):
                if np.ndim(v):
                    raise ParameterError(f"{k}: form='trained-limit' takes a scalar (one law of the batch), got an array")
            return solve_one_step_trained(alpha, ridge, float(alpha0), float(eta), float(width), activation, target)
        if drawn is None:
            return solve_one_step(alpha, alpha0, eta, ridge, width, activation, target, steps=int(steps),
                                  hermite=hermite == "on")
        for k, v in (("alpha0", alpha0), ("eta", eta), ("width", width)):
            if np.ndim(v):
                raise ParameterError(f"{k}: form={form!r} takes a scalar (the draw is fixed), got an array")
        eta, alpha0, width, d, seed = float(eta), float(alpha0), float(width), int(d), int(weight_seed)
        if drawn == "finite-d":
            _, _, g = spike_values(eta, alpha0, activation, target, int(steps))
            W0, ws, v = draw_one_step_weights(d, width, float(g), seed)
            return solve_one_step_conditional(alpha, ridge, W0, v, ws, eta, alpha0, activation, target,
                                              hermite=hermite == "on", steps=int(steps))
        runs = []
        for k in range(int(layers)):
            W0, W1, ws = _first_layer(model, d, alpha0, eta, width, activation, target, seed + k, int(steps))
            runs.append(solve_one_step_given_layer(alpha, ridge, W0, W1, ws, activation, target))
        return _layer_average(runs)

    def theory(self, **params):
        if _drawn(params.get("form", "given-layer"), params.get("hermite", "off"), params.get("steps", 1),
                  params.get("model", "network"), params.get("target", "tanh")) and params.get("eta", 1) != 0:
            return dict(params)  # conditional on each trial's draw: trial_theory() evaluates it
        return super().theory(**params)

    def trial_theory(self, sample, theory):
        """With ``form="given-layer"``: the test error given each trial's first layer (W0, W1, w*;
        the simulation keeps them); with ``form="finite-d"``: given each trial's W0, w* and spike
        direction; otherwise None (one theory for all trials)."""
        if not isinstance(theory, dict):
            return None
        t = theory
        al, lam = float(t["alpha"]), float(t["ridge"])
        dr = sample.draws
        if _drawn(t.get("form", "given-layer"), t.get("hermite", "off")) == "given-layer":
            return np.array([float(solve_one_step_given_layer(al, lam, W0, W1, ws, t["activation"], t["target"])
                                   ["test_error"]) for W0, W1, ws in zip(dr["W0"], dr["W1"], dr["w_star"])])
        args = (float(t["eta"]), float(t["alpha0"]), t["activation"], t["target"])
        on, k = t.get("hermite", "off") == "on", int(t.get("steps", 1))
        return np.array([float(solve_one_step_conditional(al, lam, W0, v, ws, *args, hermite=on, steps=k)["test_error"])
                         for W0, v, ws in zip(dr["W0"], dr["direction"], dr["w_star"])])

    def figures(self, directory, quick=True, seed=0, device=None):
        """The learning curve (against random features) and the spectrum of ``FᵀF/n`` of one trained
        network: its bulk under the deterministic equivalent (expected counts per bin) and its
        outlier at the predicted ``p E_κ μ0(κ)²`` (Dandi et al.)."""
        from pathlib import Path

        from symrmt.verify import plot_spectrum

        out = super().figures(directory, quick, seed, device)
        p = {k: float(v) for k, v in self.split(self.bind())[0].items()}
        d = 300 if quick else 1500
        alpha = 2.0
        sim = simulate_one_step(d, alpha, p["alpha0"], p["eta"], p["ridge"], p["width"], self.options["activation"],
                                self.options["target"], trials=1, seed=seed, device=device, model="network",
                                spectrum=True)
        width_p = int(round(p["width"] * d))
        theory = float(spiked_feature_spectrum(p["eta"], p["alpha0"], p["width"], self.options["activation"],
                                               self.options["target"])["outlier"])
        args = (alpha, p["eta"], p["alpha0"], p["width"], self.options["activation"], self.options["target"])
        path = plot_spectrum(Path(directory) / f"{self.name}-spectrum.png", sim["eigenvalues"][0],
                             {f"predicted outlier p·E μ0(κ)² = {width_p * theory:.1f}": width_p * theory},
                             cdf=spiked_feature_cdf(*args), cdf_label="bulk: deterministic equivalent",
                             title=f"{self.name}: spectrum of FᵀF/n after one step (d = {d}, p = {width_p}, "
                                   f"n = {int(round(alpha * d))}, α0 = {p['alpha0']:g}, η̃ = {p['eta']:g}; trained network)")
        out[f"{self.name}: feature spectrum with its outlier"] = path
        return out

    def shapes(self, n, alpha, alpha0, width, **params):
        """d = n: X0 (n0×d) and its pre-activations (n0×p), W (p×d), F (n×p), the smaller Gram
        system and a test block of 4096 points (p = width·d, n = α d, n0 = α0 d)."""
        p, m, m0 = width * n, alpha * n, alpha0 * n
        k = min(p, m)
        return [(m0, n), (m0, p), (p, n), (p, n), (m, n), (m, p), (k, k), (4096, p)]

    def run_simulation(self, n, trials, seed, device, alpha, alpha0, eta, ridge, width, steps=1, activation="tanh",
                       target="tanh", model="network", form="given-layer", hermite="off"):
        # the spiked model carries the steps in its spike (r, c, γ); the network takes them one by one
        spike = spike_values(eta, alpha0, activation, target, int(steps)) if model == "spiked" else None
        return simulate_one_step(n, alpha, alpha0, eta, ridge, width, activation, target, trials=trials,
                                 seed=seed, device=device, model=model, spike=spike,
                                 steps=int(steps) if model == "network" else 1,
                                 keep_draws=_drawn(form, hermite, steps, model, target) is not None and eta != 0)


def _recursion_equations():
    """The spike recursion of several steps (:func:`symrmt.equivalents.next_spike`) as equations."""
    k, t, g, c, r, eta, a0 = sp.symbols("kappa t g c r eta alpha0")
    E = sp.Function("E")
    mu0, mu1, h1 = (sp.Function(n)(k) for n in ("mu0", "mu1", "h1_b"))
    e = sp.Function("sigma_star")(sp.Symbol("z")) - mu0
    A, Ap, N = sp.Symbol("A"), sp.Symbol("A_perp_b"), sp.Symbol("N")
    return [("A = r + η̃ E[e μ1(κ) κ]", sp.Eq(A, r + eta * E(e * mu1 * k))),
            ("A⊥_b = η̃ E[μ1(κ) h1_b(κ)]", sp.Eq(Ap, eta * E(mu1 * h1))),
            ("N² = η̃² E[e² μ1(κ)²]/α0", sp.Eq(N**2, eta**2 * E(e**2 * mu1**2) / a0)),
            ("r′", sp.Eq(sp.Symbol("r'"), sp.sqrt(A**2 + sp.Symbol("|A_perp|")**2 + N**2))),
            ("γ′ = (Aγ + L A⊥)/r′, L = (I − γγᵀ)^(1/2)",
             sp.Eq(sp.Symbol("gamma'"), (A * sp.Symbol("gamma") + sp.Symbol("L") * sp.Symbol("A_perp")) / sp.Symbol("r'"))),
            ("c′", sp.Eq(sp.Symbol("c'")**2, (1 + eta * E(e * sp.Function("sigma_prime")(r * k + c * g) * g) / c)**2 * c**2
                        + eta**2 / a0 * E(e**2 * (sp.Function("sigma_prime")(r * k + c * g)**2 - mu1**2))))]


def _layer_average(runs):
    """The fixed points of several drawn layers as one result: every unknown and observable
    averaged over the layers, ``test_error_sd`` their spread (the draw-to-draw standard deviation of
    the theory, 0 for one layer), converged where every layer converged."""
    res = runs[0]
    if len(runs) == 1:
        res.observables["test_error_sd"] = np.zeros_like(np.asarray(res["test_error"], float))
        return res
    spread = np.std([np.asarray(r["test_error"], float) for r in runs], axis=0, ddof=1)
    for table in ("unknowns", "observables"):
        tab = getattr(res, table)
        for k in tab:
            tab[k] = np.mean([np.asarray(getattr(r, table)[k]) for r in runs], axis=0)
    res.observables["test_error_sd"] = spread
    res.converged = np.logical_and.reduce([np.asarray(r.converged) for r in runs])
    res.residual = np.max([np.asarray(r.residual) for r in runs], axis=0)
    res.iterations = np.max([np.asarray(r.iterations) for r in runs], axis=0)
    return res.reject(res.converged)


def _first_layer(model, d, alpha0, eta, width, activation, target, seed, steps=1):
    """``(W0, W1, w*)`` of one draw: the trained network's first layer or the spiked model's."""
    if model == "network":
        return train_first_layer(d, alpha0, eta, width, activation, target, seed=seed, steps=steps)
    if model != "spiked":
        raise ParameterError(f"model: expected 'network' or 'spiked', got {model!r}")
    r, c, g = (float(v) for v in spike_values(eta, alpha0, activation, target, steps))
    W0, ws, v = draw_one_step_weights(d, width, g, seed)
    return W0, c * W0 + r * np.outer(np.ones(W0.shape[0]), v), ws


def _drawn(form, hermite="off", steps=1, model="network", target="tanh"):
    """Which drawn form the ``form`` option asks for: None (``"limit"``, ``"trained-limit"``), ``"given-layer"`` or
    ``"finite-d"``; the ``hermite`` correction (``"off"``/``"on"``) exists in the limit and finite-d
    forms, for one step, only."""
    if np.ndim(steps):
        raise ParameterError("steps: takes a scalar (a number of gradient steps), got an array")
    if index_target(target).k > 1 and (form == "finite-d" or (form == "given-layer" and model == "spiked")):
        raise ParameterError(f"target: the multi-index target {target!r} has the forms 'limit' and 'given-layer' "
                             "(model='network'); the finite-d form and drawn spiked layers are single-index")
    if steps != 1 and hermite == "on":
        raise ParameterError(f"hermite: 'on' is written for one step, got steps={int(steps)}")
    if form not in ("given-layer", "limit", "finite-d", "trained-limit"):
        raise ParameterError(f"form: expected 'given-layer', 'limit', 'finite-d' or 'trained-limit', got {form!r}")
    if hermite not in ("off", "on"):
        raise ParameterError(f"hermite: expected 'off' or 'on', got {hermite!r}")
    if form == "trained-limit" and (steps != 1 or index_target(target).k > 1 or model != "network"):
        raise ParameterError("form: 'trained-limit' is written for one step of the network (model='network') and a "
                             "single-index target; use 'given-layer' for several steps or multi-index targets")
    if hermite == "on" and form in ("given-layer", "trained-limit"):
        raise ParameterError("hermite: 'on' needs form='limit' or 'finite-d' (the trained layer's bulk already "
                             "holds whatever the rank-one term describes)")
    return None if form in ("limit", "trained-limit") else form


DERIVATION = OneStepSpikedRF()
