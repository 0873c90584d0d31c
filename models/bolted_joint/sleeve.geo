// A clamped sleeve of a bolted joint, quarter model (x >= 0, y >= 0; the symmetry
// planes are face sets sym_x and sym_y): bore 11 mm, outside 22 mm, 10 mm high, split
// at the bolt head's 16 mm bearing diameter so that the faces under the head or nut
// (top_inner, bottom_inner) and outside it (top_outer, bottom_outer) are sets of their
// own. Metres; 10-node tetrahedra. Parameter: size (the largest element edge).
SetFactory("OpenCASCADE");
DefineConstant[ size = {0.0015, Name "Parameters/size"} ];
h = 0.010;
Cylinder(1) = {0, 0, 0, 0, 0, h, 0.011, Pi/2};
Cylinder(2) = {0, 0, 0, 0, 0, h, 0.008, Pi/2};
BooleanDifference(3) = { Volume{1}; Delete; }{ Volume{2}; };
Cylinder(4) = {0, 0, 0, 0, 0, h, 0.0055, Pi/2};
BooleanDifference(5) = { Volume{2}; Delete; }{ Volume{4}; Delete; };
BooleanFragments{ Volume{3, 5}; Delete; }{}

e = 1e-6;
top() = Surface In BoundingBox{-e, -e, h - e, 0.011 + e, 0.011 + e, h + e};
top_inner() = Surface In BoundingBox{-e, -e, h - e, 0.008 + e, 0.008 + e, h + e};
top_outer() = top();
top_outer() -= top_inner();
bottom() = Surface In BoundingBox{-e, -e, -e, 0.011 + e, 0.011 + e, e};
bottom_inner() = Surface In BoundingBox{-e, -e, -e, 0.008 + e, 0.008 + e, e};
bottom_outer() = bottom();
bottom_outer() -= bottom_inner();
Physical Volume("sleeve") = Volume{:};
Physical Surface("top") = top();
Physical Surface("top_inner") = top_inner();
Physical Surface("top_outer") = top_outer();
Physical Surface("bottom") = bottom();
Physical Surface("bottom_inner") = bottom_inner();
Physical Surface("bottom_outer") = bottom_outer();
Physical Surface("sym_x") = Surface In BoundingBox{-e, -e, -e, e, 0.011 + e, h + e};
Physical Surface("sym_y") = Surface In BoundingBox{-e, -e, -e, 0.011 + e, e, h + e};

Mesh.MeshSizeMax = size;
Mesh.ElementOrder = 2;
