// An M10-like bolt (shank 10 mm, head and nut 16 mm across, 5 mm high) through a
// 20 mm grip from z = -0.010 to 0.010, quarter model (x >= 0, y >= 0; symmetry
// planes sym_x, sym_y). The shank is meshed in two volumes split at z = 0 so that the
// mesh has a layer of nodes there: the pretension section. Face sets: head_bearing
// (under the head) and nut_bearing (on the nut). Metres; 10-node tetrahedra.
SetFactory("OpenCASCADE");
DefineConstant[ size = {0.0015, Name "Parameters/size"} ];
Cylinder(1) = {0, 0, 0.010, 0, 0, 0.005, 0.008, Pi/2};
Cylinder(2) = {0, 0, 0, 0, 0, 0.010, 0.005, Pi/2};
Cylinder(3) = {0, 0, -0.010, 0, 0, 0.010, 0.005, Pi/2};
Cylinder(4) = {0, 0, -0.015, 0, 0, 0.005, 0.008, Pi/2};
BooleanFragments{ Volume{1, 2, 3, 4}; Delete; }{}

e = 1e-6;
head() = Surface In BoundingBox{-e, -e, 0.010 - e, 0.008 + e, 0.008 + e, 0.010 + e};
core() = Surface In BoundingBox{-e, -e, 0.010 - e, 0.005 + e, 0.005 + e, 0.010 + e};
head() -= core();
nut() = Surface In BoundingBox{-e, -e, -0.010 - e, 0.008 + e, 0.008 + e, -0.010 + e};
core() = Surface In BoundingBox{-e, -e, -0.010 - e, 0.005 + e, 0.005 + e, -0.010 + e};
nut() -= core();
Physical Volume("bolt") = Volume{:};
Physical Surface("head_bearing") = head();
Physical Surface("nut_bearing") = nut();
Physical Surface("sym_x") = Surface In BoundingBox{-e, -e, -0.015 - e, e, 0.008 + e, 0.015 + e};
Physical Surface("sym_y") = Surface In BoundingBox{-e, -e, -0.015 - e, 0.008 + e, e, 0.015 + e};

Mesh.MeshSizeMax = size;
Mesh.ElementOrder = 2;
