"""Regenerates sphere.msh: an eighth of a thick-walled sphere (inner radius 0.1 m, outer
0.2 m) as an unstructured tet10 mesh in binary MSH 4.1, for the limit pressure of a
perfectly plastic sphere 2 σ_y ln(b/a) (Hill, The Mathematical Theory of Plasticity,
1950, §V.3). Requires `pip install gmsh`.
Physical groups: volume `shell`; surfaces `inner` (r = a), `outer` (r = b),
`symmetry_x`, `symmetry_y`, `symmetry_z` (the planes x, y, z = 0).
Run: python3 models/sphere/sphere.py [element size in m; sphere.msh has 0.025]
"""
import os
import sys

import gmsh

A, B = 0.1, 0.2
SIZE = float((sys.argv[1:] or ["0.025"])[0])

gmsh.initialize()
gmsh.option.setNumber("General.Terminal", 0)
gmsh.model.add("sphere")
occ = gmsh.model.occ
outer = occ.addSphere(0, 0, 0, B)
inner = occ.addSphere(0, 0, 0, A)
shell, _ = occ.cut([(3, outer)], [(3, inner)])
box = occ.addBox(0, 0, 0, 1, 1, 1)
octant, _ = occ.intersect(shell, [(3, box)])
occ.synchronize()
volume = octant[0][1]
gmsh.model.addPhysicalGroup(3, [volume], name="shell")
groups = {"inner": [], "outer": [], "symmetry_x": [], "symmetry_y": [], "symmetry_z": []}
for dim, tag in gmsh.model.getBoundary(octant, oriented=False):
    c = occ.getCenterOfMass(dim, tag)
    if abs(c[0]) < 1e-9:
        groups["symmetry_x"].append(tag)
    elif abs(c[1]) < 1e-9:
        groups["symmetry_y"].append(tag)
    elif abs(c[2]) < 1e-9:
        groups["symmetry_z"].append(tag)
    elif sum(v * v for v in c) < B * B / 4:
        groups["inner"].append(tag)
    else:
        groups["outer"].append(tag)
for name, tags in groups.items():
    assert len(tags) == 1, (name, tags)
    gmsh.model.addPhysicalGroup(2, tags, name=name)
gmsh.option.setNumber("Mesh.MeshSizeMax", SIZE)
gmsh.option.setNumber("Mesh.MeshSizeMin", SIZE)
gmsh.option.setNumber("Mesh.ElementOrder", 2)
gmsh.option.setNumber("Mesh.Binary", 1)
gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
gmsh.model.mesh.generate(3)
gmsh.write(os.path.join(os.path.dirname(os.path.abspath(__file__)), "sphere.msh"))
gmsh.finalize()
