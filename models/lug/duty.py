"""Writes duty.csv: the bolt load of a hoist lug over one lift, sampled at 20 Hz.

A synthetic but physically shaped duty cycle (not a measurement): the load is picked
up with a dynamic overshoot that rings down at the rope's 1.6 Hz bounce, held while
the jib swings (a horizontal pull of 15 % of the load at the 0.25 Hz pendulum), then
lowered and released; a fixed-seed noise of 1 % of the load stands for the sensor.
Columns: time (s), vertical_kN (downward pull), horizontal_kN.
    python3 models/lug/duty.py        # from the repository root
"""
import math
import random
from pathlib import Path

LOAD = 3.0           # kN, the rated lift
RATE = 20.0          # samples per second
random.seed(7)
rows = []
for k in range(int(60 * RATE) + 1):
    t = k / RATE
    if t < 5:
        v, h = 0.0, 0.0
    elif t < 45:
        s = t - 5
        v = LOAD * (1 + 0.35 * math.exp(-0.4 * s) * math.sin(2 * math.pi * 1.6 * s))
        h = 0.15 * LOAD * math.sin(2 * math.pi * 0.25 * s) * min(1.0, s / 4)
    elif t < 50:
        v, h = LOAD * (50 - t) / 5, 0.0
    else:
        v, h = 0.0, 0.0
    v += 0.01 * LOAD * random.gauss(0, 1)
    h += 0.01 * LOAD * random.gauss(0, 1)
    rows.append(f"{t:.2f}, {v:.4f}, {h:.4f}")
out = Path(__file__).with_name("duty.csv")
out.write_text("# written by duty.py: one hoist lift, see its docstring\n"
               "time, vertical_kN, horizontal_kN\n" + "\n".join(rows) + "\n")
