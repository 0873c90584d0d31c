"""Regenerates le11.msh, the NAFEMS LE11 solid cylinder/taper/sphere (metres), as a
structured hex20 mesh of a quarter of the part in binary MSH 4.1. Requires `pip install gmsh`.

Cross-section (r, z) from NAFEMS LE11: inner sphere r² + z² = 1 from A (1, 0) to
E (0.7071, 0.7071); outer sphere of radius 1.4 from B (1.4, 0) to D (1.2124, 0.7);
taper D → G (1.0, 1.39); outer cylinder r = 1 from G to I (1.0, 1.79); inner cylinder
r = 0.7071 from E to H (0.7071, 1.79). Revolved 90° about z.
Physical groups: volume `part`; surfaces `bottom` (z = 0), `top` (z = 1.79),
`symmetry_y` (the plane y = 0), `symmetry_x` (the plane x = 0).
Run: python3 models/le11/le11.py [radial] [around] [along profile scale]
"""
import math
import os
import sys

import gmsh

N_R, N_THETA, SCALE = (int(a) for a in (sys.argv[1:] or ["4", "12", "2"]))
S2 = math.sqrt(0.5)

gmsh.initialize()
gmsh.option.setNumber("General.Terminal", 0)
gmsh.model.add("le11")
g = gmsh.model.geo
o = g.addPoint(0, 0, 0)
A, B = g.addPoint(1.0, 0, 0), g.addPoint(1.4, 0, 0)
D, E = g.addPoint(1.4 * math.cos(math.pi / 6), 0, 0.7), g.addPoint(S2, 0, S2)
G, K = g.addPoint(1.0, 0, 1.39), g.addPoint(S2, 0, 1.39)
I, H = g.addPoint(1.0, 0, 1.79), g.addPoint(S2, 0, 1.79)
ab, bd, de, ea = g.addLine(A, B), g.addCircleArc(B, o, D), g.addLine(D, E), g.addCircleArc(E, o, A)
dg, gk, ke = g.addLine(D, G), g.addLine(G, K), g.addLine(K, E)
gi, ih, hk = g.addLine(G, I), g.addLine(I, H), g.addLine(H, K)
patches = [
    (g.addPlaneSurface([g.addCurveLoop([ab, bd, de, ea])]), [(ab, N_R), (de, N_R), (bd, 4 * SCALE), (ea, 4 * SCALE)]),
    (g.addPlaneSurface([g.addCurveLoop([-de, dg, gk, ke])]), [(gk, N_R), (dg, 4 * SCALE), (ke, 4 * SCALE)]),
    (g.addPlaneSurface([g.addCurveLoop([-gk, gi, ih, hk])]), [(ih, N_R), (gi, 2 * SCALE), (hk, 2 * SCALE)]),
]
for surface, curves in patches:
    for c, n in curves:
        g.mesh.setTransfiniteCurve(c, n + 1)
    g.mesh.setTransfiniteSurface(surface)
    g.mesh.setRecombine(2, surface)
out = g.revolve([(2, s) for s, _ in patches], 0, 0, 0, 0, 0, 1, math.pi / 2, numElements=[N_THETA], recombine=True)
g.synchronize()

volumes = [t for d, t in out if d == 3]
gmsh.model.addPhysicalGroup(3, volumes, name="part")
gmsh.model.addPhysicalGroup(2, [s for s, _ in patches], name="symmetry_y")
# revolve returns, per source surface: [end surface, volume, lateral surfaces…].
ends = [out[i][1] for i in range(len(out)) if out[i][0] == 2 and i + 1 < len(out) and out[i + 1][0] == 3]
gmsh.model.addPhysicalGroup(2, ends, name="symmetry_x")
def plane(z):
    return [t for _, t in gmsh.model.getEntitiesInBoundingBox(-2, -2, z - 1e-6, 2, 2, z + 1e-6, 2)]
gmsh.model.addPhysicalGroup(2, plane(0.0), name="bottom")
gmsh.model.addPhysicalGroup(2, plane(1.79), name="top")

gmsh.option.setNumber("Mesh.ElementOrder", 2)
gmsh.option.setNumber("Mesh.SecondOrderIncomplete", 1)
gmsh.model.mesh.generate(3)
gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
gmsh.option.setNumber("Mesh.Binary", 1)
gmsh.write(os.path.join(os.path.dirname(os.path.abspath(__file__)), "le11.msh"))
gmsh.finalize()
