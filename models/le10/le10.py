"""Regenerates le10.msh, the NAFEMS LE10 thick plate (metres), as a structured hex20
mesh in binary MSH 4.1. Requires `pip install gmsh`.

Geometry (NAFEMS LE10): quarter of an elliptic annulus, inner ellipse x²/2² + y²/1² = 1,
outer x²/3.25² + y²/2.75² = 1, thickness 0.6 (z ∈ [0, 0.6]); point D = (2, 0, 0.6).
Physical groups: volume `plate`; surfaces `upper` (z = 0.6, pressure), `DCD'C'` (y = 0),
`ABA'B'` (x = 0), `BCB'C'` (outer face); curve `midplane` (outer face at z = 0.3).
Run: python3 models/le10/le10.py [divisions around] [divisions radial] [layers per half]
or:  python3 models/le10/le10.py tet10 SIZE OUT.msh — the same plate as a free
(unstructured) second-order tetrahedral mesh of element size SIZE (m), the kind of mesh
users bring: 0.1 gives ~28k equations, 0.05 ~200k, 0.028 ~1M (benches/le10_scale.sh).
"""
import os
import sys
import gmsh

FREE = sys.argv[1:2] == ["tet10"]
if FREE:
    SIZE, OUT = float(sys.argv[2]), sys.argv[3]
    N_AROUND = N_RADIAL = N_LAYER = 0
else:
    N_AROUND, N_RADIAL, N_LAYER = (int(a) for a in (sys.argv[1:] or ["12", "6", "2"]))
    OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "le10.msh")

gmsh.initialize()
gmsh.option.setNumber("General.Terminal", 0)
gmsh.model.add("le10")
g = gmsh.model.geo
o = g.addPoint(0, 0, 0)
d, c = g.addPoint(2.0, 0, 0), g.addPoint(3.25, 0, 0)
a, b = g.addPoint(0, 1.0, 0), g.addPoint(0, 2.75, 0)
dc = g.addLine(d, c)
outer = g.addEllipseArc(c, o, c, b)
ba = g.addLine(b, a)
inner = g.addEllipseArc(a, o, d, d)
loop = g.addCurveLoop([dc, outer, ba, inner])
s = g.addPlaneSurface([loop])
if FREE:
    lower = g.extrude([(2, s)], 0, 0, 0.3)
    upper = g.extrude([(2, lower[0][1])], 0, 0, 0.3)
else:
    for line in (dc, ba):
        g.mesh.setTransfiniteCurve(line, N_RADIAL + 1)
    for arc in (outer, inner):
        g.mesh.setTransfiniteCurve(arc, N_AROUND + 1)
    g.mesh.setTransfiniteSurface(s)
    g.mesh.setRecombine(2, s)
    lower = g.extrude([(2, s)], 0, 0, 0.3, numElements=[N_LAYER], recombine=True)
    upper = g.extrude([(2, lower[0][1])], 0, 0, 0.3, numElements=[N_LAYER], recombine=True)
g.synchronize()

# extrude returns [top, volume, side faces in the order of the loop's curves].
vols = [lower[1][1], upper[1][1]]
gmsh.model.addPhysicalGroup(3, vols, name="plate")
gmsh.model.addPhysicalGroup(2, [upper[0][1]], name="upper")
gmsh.model.addPhysicalGroup(2, [lower[2][1], upper[2][1]], name="DCD'C'")
gmsh.model.addPhysicalGroup(2, [lower[3][1], upper[3][1]], name="BCB'C'")
gmsh.model.addPhysicalGroup(2, [lower[4][1], upper[4][1]], name="ABA'B'")
mid = [t for _, t in gmsh.model.getEntitiesInBoundingBox(-0.01, -0.01, 0.29, 3.26, 2.76, 0.31, 1)
       if abs(gmsh.model.getValue(1, t, [0.5])[0] ** 2 / 3.25**2 + gmsh.model.getValue(1, t, [0.5])[1] ** 2 / 2.75**2 - 1) < 1e-6]
gmsh.model.addPhysicalGroup(1, mid, name="midplane")

if FREE:
    gmsh.option.setNumber("Mesh.MeshSizeMax", SIZE)
    gmsh.option.setNumber("Mesh.MeshSizeMin", SIZE)
    gmsh.option.setNumber("General.NumThreads", 2)
    gmsh.option.setNumber("Mesh.Algorithm3D", 10)          # HXT, parallel Delaunay
gmsh.option.setNumber("Mesh.ElementOrder", 2)
gmsh.option.setNumber("Mesh.SecondOrderIncomplete", 1)   # 20-node serendipity hexahedra
gmsh.model.mesh.generate(3)
gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
gmsh.option.setNumber("Mesh.Binary", 1)
gmsh.write(OUT)
gmsh.finalize()
