//! XDMF3 sidecar for the case's HDF5 file: a temporal collection of steps, each at its
//! time value (the load case's index, or a mode's frequency), so ParaView steps through
//! load cases and shows a mode's frequency as its time.

use super::{cell_type, Step};
use std::fmt::Write;
use vproto_solver::Mesh;

fn item(h5: &str, path: &str, dims: &str, number: &str, precision: u8) -> String {
    format!(
        r#"<DataItem Dimensions="{dims}" NumberType="{number}" Precision="{precision}" Format="HDF">{h5}:{path}</DataItem>"#
    )
}

/// XDMF text referring to datasets in `h5_name` (a path relative to the XDMF file).
pub fn document(h5_name: &str, mesh: &Mesh, steps: &[Step]) -> String {
    let n = mesh.nodes.len();
    let multi = mesh.blocks.len() > 1;
    let mut s = String::from("<?xml version=\"1.0\" ?>\n<Xdmf Version=\"3.0\">\n <Domain>\n");
    s += "  <Grid Name=\"results\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
    for step in steps {
        let time = step.time;
        if multi {
            let _ = writeln!(s, "   <Grid Name=\"{}\" GridType=\"Collection\" CollectionType=\"Spatial\">\n    <Time Value=\"{time}\"/>", step.name);
        }
        for (i, b) in mesh.blocks.iter().enumerate() {
            let (_, topo) = cell_type(b.kind);
            let (ne, npe) = (b.len(), b.kind.node_count());
            let name = if multi {
                format!("{}_block{i}", step.name)
            } else {
                step.name.clone()
            };
            let _ = writeln!(s, "   <Grid Name=\"{name}\" GridType=\"Uniform\">");
            if !multi {
                let _ = writeln!(s, "    <Time Value=\"{time}\"/>");
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
            for f in &step.fields {
                let dims = if f.components == 1 {
                    n.to_string()
                } else {
                    format!("{n} {}", f.components)
                };
                let _ = writeln!(
                    s,
                    "    <Attribute Name=\"{}\" AttributeType=\"{}\" Center=\"Node\">\n     {}\n    </Attribute>",
                    f.name,
                    f.kind,
                    item(h5_name, &f.dataset, &dims, "Float", 8)
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
