//! Fill of the direct factor under vproto's fill-reducing ordering (METIS's multilevel
//! nested dissection of the node graph) and faer's approximate minimum degree (on the
//! equations), on meshes users bring. (The comparison with the geometric nested
//! dissection vproto used before is in solver/src/ordering.rs.) Every node's three dofs free (the
//! constraints of a case remove a few percent of them). Prints factor entries, entries
//! per equation and the ordering's time.
//! `cargo run --release --example ordering_fill -- a.msh [hex8:130x26x26 …]`

use std::time::Instant;
use vproto_solver::assembly::stiffness_pattern;
use vproto_solver::dofs::DofMap;
use vproto_solver::linsolve::SymbolicFactor;
use vproto_solver::mesh::NodeGraph;
use vproto_solver::ordering::{equation_order, nested_dissection};

fn main() {
    for path in std::env::args().skip(1) {
        // A structured box as `hex8:130x26x26` (kind:cells, a 5 × 1 × 1 m beam), else a
        // Gmsh mesh file.
        let mesh = match path.split_once(':') {
            Some((kind, cells)) => {
                let c: Vec<usize> = cells
                    .split('x')
                    .map(|v| v.parse().expect("cells"))
                    .collect();
                let kind = vproto_solver::ElementKind::from_name(kind).expect("an element kind");
                vproto_solver::generate::block([5.0, 1.0, 1.0], [c[0], c[1], c[2]], kind)
                    .expect("a block")
            }
            None => vproto::gmsh::read(std::path::Path::new(&path)).expect("a Gmsh mesh"),
        };
        let graph = NodeGraph::new(&mesh);
        let dofs = DofMap::new(&vec![false; 3 * mesh.nodes.len()]);
        let pattern = stiffness_pattern(&graph, &dofs);
        let n = dofs.free_count();
        println!(
            "{path}: {} nodes, {n} equations, {} matrix entries (upper)",
            mesh.nodes.len(),
            pattern.compute_nnz()
        );
        let report = |name: &str, order: Option<Vec<usize>>, seconds: f64| {
            let t = Instant::now();
            let symbolic =
                SymbolicFactor::analyse(&pattern, order.as_deref()).expect("symbolic analysis");
            let nnz = symbolic.factor_nnz();
            println!(
                "  {name:<28} {:>13} factor entries, {:>6.0} per equation, ordering {seconds:.2} s (+ analysis {:.2} s)",
                nnz,
                nnz as f64 / n as f64,
                t.elapsed().as_secs_f64()
            );
            nnz
        };
        let t = Instant::now();
        let nd = equation_order(&nested_dissection(&graph).expect("an order"), &dofs);
        let metis = report(
            "METIS nested dissection",
            Some(nd),
            t.elapsed().as_secs_f64(),
        );
        let amd = report("faer AMD (equations)", None, 0.0);
        println!(
            "  minimum degree / nested dissection fill: {:.2}",
            amd as f64 / metis as f64
        );
    }
}
