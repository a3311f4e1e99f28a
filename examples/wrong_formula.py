"""A deliberately wrong formula is caught: simulate Marchenko–Pastur at ratio 1/2 and compare it
with the law at ratio 0.55 (10 % off).  The error stops decreasing with n — a plateau — and the
verdict is "disagrees"; with the right ratio the error decays like log(n)/n and it "agrees".
"""
import symrmt as sr

mp = sr.load("marchenko-pastur")
sizes = (50, 100, 200, 400)
right = mp.verify(sizes=sizes, trials=4, seed=0, ratio=0.5)
wrong = mp.verify(sizes=sizes, trials=4, seed=0, ratio=0.5, theory_params={"ratio": 0.55})
for label, rep in (("right", right), ("wrong", wrong)):
    errs = ", ".join(f"{e:.4f}" for e in rep.scaling["errors"])
    print(f"{label}: KS by n {sizes}: {errs} -> {rep.verdict}")
assert right.verdict == "agrees" and wrong.verdict == "disagrees"
wrong.plot("wrong_formula.png")   # the 10 %-off ratio: the KS distance stops decaying
