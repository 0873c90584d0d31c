"""Regenerates bracket.msh: an aluminium L-bracket with a filleted inner corner and a
bolt hole in its flange (metres). Requires `pip install gmsh`.

Physical groups: volume `bracket`; surfaces `mount` (the back face, bolted to a wall)
and `bolt_hole` (the hole's bore, where the proof load enters).
Run: python3 models/bracket/bracket.py [element size in m, default 0.004] [output .msh]
(a size and path for benchmark meshes: benches/nonlinear_bracket_vs_ccx.sh)
"""
import os
import sys
import gmsh

T, W, H, L = 0.010, 0.040, 0.060, 0.080   # thickness, width, height, flange length
HOLE_X, HOLE_R, FILLET = 0.062, 0.0055, 0.006
SIZE = float(sys.argv[1]) if len(sys.argv) > 1 else 0.004

gmsh.initialize()
gmsh.option.setNumber("General.Terminal", 0)
gmsh.model.add("bracket")
occ = gmsh.model.occ
upright = occ.addBox(0, 0, 0, T, W, H)
flange = occ.addBox(0, 0, 0, L, W, T)
body, _ = occ.fuse([(3, upright)], [(3, flange)])
occ.synchronize()
corner = gmsh.model.getEntitiesInBoundingBox(T - 1e-6, -1e-6, T - 1e-6, T + 1e-6, W + 1e-6, T + 1e-6, 1)
body = occ.fillet([body[0][1]], [corner[0][1]], [FILLET])
hole = occ.addCylinder(HOLE_X, W / 2, -0.01, 0, 0, 0.03, HOLE_R)
body, _ = occ.cut(body, [(3, hole)])
occ.synchronize()

vol = body[0][1]
mount = [s for _, s in gmsh.model.getEntitiesInBoundingBox(-1e-6, -1e-6, -1e-6, 1e-6, W + 1e-6, H + 1e-6, 2)]
bore = [s for _, s in gmsh.model.getEntitiesInBoundingBox(HOLE_X - HOLE_R - 1e-6, W / 2 - HOLE_R - 1e-6, -1e-6,
                                                           HOLE_X + HOLE_R + 1e-6, W / 2 + HOLE_R + 1e-6, T + 1e-6, 2)]
gmsh.model.addPhysicalGroup(3, [vol], name="bracket")
gmsh.model.addPhysicalGroup(2, mount, name="mount")
gmsh.model.addPhysicalGroup(2, bore, name="bolt_hole")

gmsh.option.setNumber("Mesh.MeshSizeMax", SIZE)
gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 12)
gmsh.option.setNumber("Mesh.ElementOrder", 2)
gmsh.option.setNumber("Mesh.HighOrderOptimize", 1)
gmsh.model.mesh.generate(3)
gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
gmsh.option.setNumber("Mesh.Binary", 0)
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "bracket.msh")
gmsh.write(OUT)
gmsh.finalize()
