// Parametric lug: a plate 80 x 40 mm with a hole, meshed with 10-node tetrahedra.
// Parameters (override with `gmsh -setnumber`, as `vproto` does from a case file's
// [parameters] of the same names): thickness, hole_radius (metres).
SetFactory("OpenCASCADE");
DefineConstant[ thickness = {0.008, Name "Parameters/thickness"} ];
DefineConstant[ hole_radius = {0.008, Name "Parameters/hole_radius"} ];

Box(1) = {0, 0, 0, 0.08, 0.04, thickness};
Cylinder(2) = {0.06, 0.02, -0.01, 0, 0, thickness + 0.02, hole_radius};
BooleanDifference{ Volume{1}; Delete; }{ Volume{2}; Delete; }

Physical Volume("lug") = {1};
Physical Surface("base") = Surface In BoundingBox{-1e-6, -1e-6, -1e-6, 1e-6, 0.04 + 1e-6, thickness + 1e-6};
Physical Surface("hole") = Surface In BoundingBox{0.06 - hole_radius - 1e-6, 0.02 - hole_radius - 1e-6, -1e-6, 0.06 + hole_radius + 1e-6, 0.02 + hole_radius + 1e-6, thickness + 1e-6};

Mesh.MeshSizeMax = 0.004;
Mesh.MeshSizeFromCurvature = 12;
Mesh.ElementOrder = 2;
