//! XDMF3 sidecar for the case's HDF5 file: a temporal collection with one step per
//! load case (time = load-case index), so ParaView steps and animates through them.

use super::cell_type;
use std::fmt::Write;
use vproto_solver::{Mesh, StaticResults};

fn item(h5: &str, path: &str, dims: &str, number: &str, precision: u8) -> String {
    format!(
        r#"<DataItem Dimensions="{dims}" NumberType="{number}" Precision="{precision}" Format="HDF">{h5}:{path}</DataItem>"#
    )
}

/// XDMF text referring to datasets in `h5_name` (a path relative to the XDMF file).
pub fn document(h5_name: &str, mesh: &Mesh, results: &[StaticResults]) -> String {
    let n = mesh.nodes.len();
    let mut s = String::from("<?xml version=\"1.0\" ?>\n<Xdmf Version=\"3.0\">\n <Domain>\n");
    s += "  <Grid Name=\"load_cases\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
    for (step, r) in results.iter().enumerate() {
        let lc = format!("/load_cases/{}", r.name);
        let multi = mesh.blocks.len() > 1;
        if multi {
            let _ = writeln!(s, "   <Grid Name=\"{}\" GridType=\"Collection\" CollectionType=\"Spatial\">\n    <Time Value=\"{step}\"/>", r.name);
        }
        for (i, b) in mesh.blocks.iter().enumerate() {
            let (_, topo) = cell_type(b.kind);
            let ne = b.len();
            let npe = b.kind.node_count();
            let name = if multi {
                format!("{}_block{i}", r.name)
            } else {
                r.name.clone()
            };
            let _ = writeln!(s, "   <Grid Name=\"{name}\" GridType=\"Uniform\">");
            if !multi {
                let _ = writeln!(s, "    <Time Value=\"{step}\"/>");
            }
            let _ = writeln!(
                s,
                "    <Topology TopologyType=\"{topo}\" NumberOfElements=\"{ne}\" NodesPerElement=\"{npe}\">\n     {}\n    </Topology>",
                item(h5_name, &format!("/mesh/block{i}/connectivity"), &format!("{ne} {npe}"), "Int", 8)
            );
            let _ = writeln!(
                s,
                "    <Geometry GeometryType=\"XYZ\">\n     {}\n    </Geometry>",
                item(h5_name, "/mesh/points", &format!("{n} 3"), "Float", 8)
            );
            let _ = writeln!(
                s,
                "    <Attribute Name=\"material\" AttributeType=\"Scalar\" Center=\"Cell\">\n     {}\n    </Attribute>",
                item(h5_name, &format!("/mesh/block{i}/material"), &ne.to_string(), "Int", 4)
            );
            let attrs: [(&str, &str, &str, usize); 7] = [
                ("displacement", "displacement", "Vector", 3),
                ("stress", "stress_tensor", "Tensor", 9),
                ("strain", "strain_tensor", "Tensor", 9),
                ("von_mises", "von_mises", "Scalar", 1),
                ("principal_stress", "principal_stress", "Vector", 3),
                ("reaction_force", "reaction_force", "Vector", 3),
                ("applied_force", "applied_force", "Vector", 3),
            ];
            for (label, ds, kind, comps) in attrs {
                let dims = if comps == 1 {
                    n.to_string()
                } else {
                    format!("{n} {comps}")
                };
                let _ = writeln!(
                    s,
                    "    <Attribute Name=\"{label}\" AttributeType=\"{kind}\" Center=\"Node\">\n     {}\n    </Attribute>",
                    item(h5_name, &format!("{lc}/{ds}"), &dims, "Float", 8)
                );
            }
            s += "   </Grid>\n";
        }
        if multi {
            s += "   </Grid>\n";
        }
    }
    s += "  </Grid>\n </Domain>\n</Xdmf>\n";
    s
}
