//! Reader for Gmsh MSH 4.1 files, ASCII and binary.
//!
//! Volume elements (tet4, tet10, hex8, hex20) form the mesh; physical groups become
//! named sets: volumes → regions (element sets), surfaces → face sets (matched to the
//! boundary faces of the volume elements, so pressure follows the solid's outward
//! normal whatever the surface orientation), curves and points → node sets. Groups
//! without a name are called `physical_<tag>`. Node order is converted from Gmsh's to
//! vproto's (VTK's) convention.

use anyhow::{anyhow, bail, Context, Result};
use nalgebra::Vector3;
use std::collections::HashMap;
use std::path::Path;
use vproto_solver::{ElementBlock, ElementKind, FaceRef, Mesh};

/// Gmsh → VTK node permutation: `vtk[i] = gmsh[PERM[i]]`.
const HEX20_PERM: [usize; 20] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 13, 9, 16, 18, 19, 17, 10, 12, 14, 15,
];
const TET10_PERM: [usize; 10] = [0, 1, 2, 3, 4, 5, 6, 7, 9, 8];

/// What a Gmsh element type number means to vproto.
enum GmshType {
    Volume(ElementKind),
    /// A lower-dimensional element: (dimension, node count, corner count).
    Boundary(usize, usize, usize),
}

fn element_type(t: i32) -> Option<GmshType> {
    use GmshType::*;
    Some(match t {
        4 => Volume(ElementKind::Tet4),
        11 => Volume(ElementKind::Tet10),
        5 => Volume(ElementKind::Hex8),
        17 => Volume(ElementKind::Hex20),
        15 => Boundary(0, 1, 1),
        1 => Boundary(1, 2, 2),
        8 => Boundary(1, 3, 2),
        2 => Boundary(2, 3, 3),
        9 => Boundary(2, 6, 3),
        3 => Boundary(2, 4, 4),
        16 => Boundary(2, 8, 4),
        _ => return None,
    })
}

/// What an unsupported Gmsh element is, and the Gmsh option that avoids it.
fn unsupported(t: i32) -> String {
    const INCOMPLETE: &str = "Gmsh's default second order is the complete 27-node hexahedron; save the incomplete 20-node one vproto reads with `Mesh.SecondOrderIncomplete = 1;` in the .geo (command line: -setnumber Mesh.SecondOrderIncomplete 1)";
    const NO_PRISMS: &str = "vproto reads tetrahedra and hexahedra: mesh the volume with tetrahedra only, or turn every element into hexahedra with `Mesh.SubdivisionAlgorithm = 2;` (prisms and pyramids come from boundary layers, extrusions and recombined meshes)";
    match t {
        12 => format!("hex27: {INCOMPLETE}"),
        10 => format!("quad9 (the face of a hex27): {INCOMPLETE}"),
        29 | 92 | 93 => "higher than second order: use `Mesh.ElementOrder = 2;` or 1".into(),
        6 => format!("prism (wedge6): {NO_PRISMS}"),
        13 => format!("prism18: {NO_PRISMS}"),
        18 => format!("prism15: {NO_PRISMS}"),
        7 => format!("pyramid5: {NO_PRISMS}"),
        14 => format!("pyramid14: {NO_PRISMS}"),
        19 => format!("pyramid13: {NO_PRISMS}"),
        _ => "not a type vproto reads (tet4, tet10, hex8, hex20 and their faces)".into(),
    }
}

/// Reads numbers from a section, in ASCII or little-endian binary.
struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    binary: bool,
}

impl Cursor<'_> {
    fn token(&mut self) -> Result<&str> {
        while self.pos < self.data.len() && self.data[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        let start = self.pos;
        while self.pos < self.data.len() && !self.data[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        if start == self.pos {
            bail!("unexpected end of file");
        }
        std::str::from_utf8(&self.data[start..self.pos])
            .context("non-ASCII text in an ASCII section")
    }

    fn bytes<const K: usize>(&mut self) -> Result<[u8; K]> {
        let b = self
            .data
            .get(self.pos..self.pos + K)
            .ok_or_else(|| anyhow!("unexpected end of binary data"))?;
        self.pos += K;
        Ok(b.try_into().expect("slice of length K"))
    }

    fn size(&mut self) -> Result<usize> {
        if self.binary {
            Ok(u64::from_le_bytes(self.bytes()?) as usize)
        } else {
            let t = self.token()?;
            t.parse()
                .with_context(|| format!("expected a count, found '{}'", crate::files::excerpt(t)))
        }
    }

    fn int(&mut self) -> Result<i32> {
        if self.binary {
            Ok(i32::from_le_bytes(self.bytes()?))
        } else {
            let t = self.token()?;
            t.parse().with_context(|| {
                format!("expected an integer, found '{}'", crate::files::excerpt(t))
            })
        }
    }

    fn double(&mut self) -> Result<f64> {
        if self.binary {
            Ok(f64::from_le_bytes(self.bytes()?))
        } else {
            let t = self.token()?;
            t.parse()
                .with_context(|| format!("expected a number, found '{}'", crate::files::excerpt(t)))
        }
    }

    /// Where the cursor is, for an error: a line number in ASCII, a byte offset in binary.
    fn place(&self) -> String {
        let pos = self.pos.min(self.data.len());
        if self.binary {
            format!("byte {pos}")
        } else {
            let line = self.data[..pos].iter().filter(|&&b| b == b'\n').count() + 1;
            format!("line {line}")
        }
    }

    /// Reads the rest of the current line as text and moves past it.
    fn line(&mut self) -> Option<String> {
        if self.pos >= self.data.len() {
            return None;
        }
        let end = self.data[self.pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.data.len(), |i| self.pos + i);
        let s = String::from_utf8_lossy(&self.data[self.pos..end])
            .trim()
            .to_string();
        self.pos = (end + 1).min(self.data.len());
        Some(s)
    }
}

#[derive(Default)]
struct Raw {
    names: HashMap<(usize, i32), String>,
    /// (dim, entity tag) → physical tags
    entity_groups: HashMap<(usize, i32), Vec<i32>>,
    node_index: HashMap<usize, usize>,
    nodes: Vec<Vector3<f64>>,
    /// Gmsh's tag of each node, the number reports name it by.
    labels: Vec<i64>,
    /// Volume elements per kind, in order of first appearance.
    volumes: Vec<VolumeBlock>,
    /// (dim, entity tag, element tag, corner node indices)
    boundary: Vec<(usize, i32, usize, Vec<usize>)>,
}

impl Raw {
    /// A physical group's name (`physical_<tag>` when it has none).
    fn group_name(&self, dim: usize, tag: i32) -> String {
        self.names
            .get(&(dim, tag))
            .cloned()
            .unwrap_or_else(|| format!("physical_{tag}"))
    }
}

/// Volume elements of one kind with the Gmsh entity each came from.
struct VolumeBlock {
    kind: ElementKind,
    connectivity: Vec<usize>,
    entities: Vec<i32>,
    /// Gmsh's tag of each element.
    tags: Vec<i64>,
}

/// Meshes a parametric `.geo` file with the `gmsh` executable (3D, MSH 4.1), setting
/// each numeric parameter with `-setnumber`, and reads the result.
pub fn mesh_geo(geo: &Path, parameters: &crate::params::Parameters) -> Result<Mesh> {
    // Gmsh writes into a folder of this process's own, never a predictable shared name.
    let private = crate::files::PrivateDir::new()?;
    let out = private.path().join("mesh.msh");
    let mut cmd = std::process::Command::new("gmsh");
    cmd.arg(geo)
        .args(["-3", "-format", "msh41", "-bin", "-v", "2"])
        // Second-order hexahedra as the 20-node ones vproto reads (Gmsh's default is 27).
        .args(["-setnumber", "Mesh.SecondOrderIncomplete", "1", "-o"])
        .arg(&out);
    for (k, v) in parameters {
        if let crate::params::Value::Number(x) = v {
            cmd.args(["-setnumber", k, &format!("{x:?}")]);
        }
    }
    let run = cmd.output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => anyhow!(
            "meshing {} needs the `gmsh` executable on PATH (e.g. `python3 -m pip install gmsh`)",
            geo.display()
        ),
        _ => anyhow!("cannot run gmsh: {e}"),
    })?;
    let mesh = if run.status.success() {
        read(&out)
    } else {
        Err(anyhow!(
            "gmsh failed on {}:\n{}{}",
            geo.display(),
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        ))
    };
    mesh
}

/// Reads a `.msh` file into a mesh with its physical groups as named sets.
pub fn read(path: &Path) -> Result<Mesh> {
    let data =
        std::fs::read(path).with_context(|| format!("cannot read mesh {}", path.display()))?;
    parse(&data).with_context(|| format!("mesh {}", path.display()))
}

pub fn parse(data: &[u8]) -> Result<Mesh> {
    let mut c = Cursor {
        data,
        pos: 0,
        binary: false,
    };
    let mut raw = Raw::default();
    let mut seen_format = false;
    while let Some(line) = c.line() {
        if line.is_empty() {
            continue;
        }
        let Some(section) = line.strip_prefix('$') else {
            bail!(
                "expected a section header such as $MeshFormat, found '{}' (is this a Gmsh .msh file?)",
                crate::files::excerpt(&line)
            );
        };
        let section = section.to_string();
        read_section(&mut c, &mut raw, &section, &mut seen_format)
            .with_context(|| format!("${section}, near {}", c.place()))?;
        if !seen_format {
            bail!("the file does not start with $MeshFormat: not a Gmsh mesh");
        }
        // Skip to the end marker of this section.
        let end = format!("$End{section}");
        let rest = &data[c.pos..];
        let at = rest
            .windows(end.len())
            .position(|w| w == end.as_bytes())
            .ok_or_else(|| anyhow!("missing {end}"))?;
        c.pos += at;
        c.line();
    }
    build(raw)
}

/// Reads one section's content (the cursor is just past its header line).
fn read_section(
    c: &mut Cursor,
    raw: &mut Raw,
    section: &str,
    seen_format: &mut bool,
) -> Result<()> {
    match section {
        "MeshFormat" => {
            c.binary = false;
            let version = c.token()?.to_string();
            let file_type = c.int()?;
            let data_size = c.int()?;
            if !version.starts_with("4.1") {
                bail!(
                    "MSH version {version} is not supported; save as MSH 4.1 (Gmsh: -format msh41)"
                );
            }
            if file_type == 1 {
                if data_size != 8 {
                    bail!("binary MSH with data size {data_size} is not supported (expected 8)");
                }
                c.line();
                let one = i32::from_le_bytes(c.bytes()?);
                if one != 1 {
                    bail!("binary MSH written with a different byte order is not supported");
                }
                c.binary = true;
            }
            *seen_format = true;
        }
        "PhysicalNames" => {
            let binary = std::mem::replace(&mut c.binary, false);
            let n = c.size()?;
            for _ in 0..n {
                let dim = c.int()? as usize;
                let tag = c.int()?;
                let rest = c.line().unwrap_or_default();
                raw.names
                    .insert((dim, tag), rest.trim().trim_matches('"').to_string());
            }
            c.binary = binary;
        }
        "Entities" => read_entities(c, raw)?,
        "Nodes" => read_nodes(c, raw)?,
        "Elements" => read_elements(c, raw)?,
        _ => {}
    }
    Ok(())
}

fn read_entities(c: &mut Cursor, raw: &mut Raw) -> Result<()> {
    let counts = [c.size()?, c.size()?, c.size()?, c.size()?];
    for (dim, &count) in counts.iter().enumerate() {
        for _ in 0..count {
            let tag = c.int()?;
            let coords = if dim == 0 { 3 } else { 6 };
            for _ in 0..coords {
                c.double()?;
            }
            let n_phys = c.size()?;
            let phys = (0..n_phys).map(|_| c.int()).collect::<Result<Vec<_>>>()?;
            if dim > 0 {
                let n_bound = c.size()?;
                for _ in 0..n_bound {
                    c.int()?;
                }
            }
            raw.entity_groups.insert((dim, tag), phys);
        }
    }
    Ok(())
}

fn read_nodes(c: &mut Cursor, raw: &mut Raw) -> Result<()> {
    let blocks = c.size()?;
    let total = c.size()?;
    c.size()?;
    c.size()?;
    // Every node takes at least 8 bytes of the file: a count beyond that is a lie.
    raw.nodes.reserve(total.min(c.data.len() / 8));
    for _ in 0..blocks {
        let _dim = c.int()?;
        let _entity = c.int()?;
        let parametric = c.int()?;
        let n = c.size()?;
        if parametric != 0 {
            bail!("parametric node coordinates are not supported; save without them");
        }
        let tags = (0..n).map(|_| c.size()).collect::<Result<Vec<_>>>()?;
        for tag in tags {
            let p = Vector3::new(c.double()?, c.double()?, c.double()?);
            if raw.node_index.insert(tag, raw.nodes.len()).is_some() {
                bail!("node {tag} is defined twice");
            }
            raw.nodes.push(p);
            raw.labels.push(tag as i64);
        }
    }
    Ok(())
}

fn read_elements(c: &mut Cursor, raw: &mut Raw) -> Result<()> {
    let blocks = c.size()?;
    for _ in 0..4 - 1 {
        c.size()?;
    }
    for _ in 0..blocks {
        let dim = c.int()? as usize;
        let entity = c.int()?;
        let etype = c.int()?;
        let n = c.size()?;
        let kind = element_type(etype).ok_or_else(|| {
            anyhow!(
                "element type {etype} in entity {entity} is not supported: {}",
                unsupported(etype)
            )
        })?;
        let nodes_per = match kind {
            GmshType::Volume(k) => k.node_count(),
            GmshType::Boundary(_, n, _) => n,
        };
        for _ in 0..n {
            let tag = c.size()?;
            let mut nodes = Vec::with_capacity(nodes_per);
            for _ in 0..nodes_per {
                let t = c.size()?;
                nodes.push(
                    *raw.node_index
                        .get(&t)
                        .ok_or_else(|| anyhow!("element {tag} refers to undefined node {t}"))?,
                );
            }
            match kind {
                GmshType::Volume(k) => {
                    let perm: &[usize] = match k {
                        ElementKind::Hex20 => &HEX20_PERM,
                        ElementKind::Tet10 => &TET10_PERM,
                        _ => &[],
                    };
                    let block = match raw.volumes.iter().position(|b| b.kind == k) {
                        Some(i) => &mut raw.volumes[i],
                        None => {
                            raw.volumes.push(VolumeBlock {
                                kind: k,
                                connectivity: vec![],
                                entities: vec![],
                                tags: vec![],
                            });
                            raw.volumes.last_mut().expect("just pushed")
                        }
                    };
                    if perm.is_empty() {
                        block.connectivity.extend_from_slice(&nodes);
                    } else {
                        block.connectivity.extend(perm.iter().map(|&p| nodes[p]));
                    }
                    block.entities.push(entity);
                    block.tags.push(tag as i64);
                }
                GmshType::Boundary(d, _, corners) => {
                    debug_assert_eq!(d, dim);
                    nodes.truncate(if d == 2 { corners } else { nodes_per });
                    raw.boundary.push((d, entity, tag, nodes));
                }
            }
        }
    }
    Ok(())
}

fn build(mut raw: Raw) -> Result<Mesh> {
    let mut mesh = Mesh {
        nodes: std::mem::take(&mut raw.nodes),
        node_labels: std::mem::take(&mut raw.labels),
        ..Default::default()
    };
    let mut id = 0;
    for block in std::mem::take(&mut raw.volumes) {
        mesh.element_labels.extend(&block.tags);
        for &entity in &block.entities {
            for &g in raw.entity_groups.get(&(3, entity)).into_iter().flatten() {
                mesh.element_sets
                    .entry(raw.group_name(3, g))
                    .or_default()
                    .push(id);
            }
            id += 1;
        }
        mesh.blocks.push(ElementBlock {
            kind: block.kind,
            connectivity: block.connectivity,
        });
    }
    if mesh.blocks.is_empty() {
        bail!("the mesh has no volume elements (tet4, tet10, hex8 or hex20); mesh the volumes (Gmsh: Mesh 3D) and save all physical volumes");
    }
    lower_dimensional_groups(&raw, &mut mesh)?;
    for nodes in mesh.node_sets.values_mut() {
        nodes.sort_unstable();
        nodes.dedup();
    }
    Ok(mesh)
}

/// Physical surfaces, curves and points. A surface wholly on the boundary is a face set
/// (loads follow its outward normal); one that lies (partly) inside the volume — an
/// interface, a gauge plane — is a node set (with the mid-side nodes of its faces),
/// usable wherever a set of nodes is meant. Curves and points are node sets.
fn lower_dimensional_groups(raw: &Raw, mesh: &mut Mesh) -> Result<()> {
    let faces = mesh.boundary_faces();
    let mut internal: HashMap<Vec<usize>, Groups> = HashMap::new();
    for (dim, entity, tag, nodes) in &raw.boundary {
        let groups = raw
            .entity_groups
            .get(&(*dim, *entity))
            .cloned()
            .unwrap_or_default();
        if *dim == 2 {
            let mut key = nodes.clone();
            key.sort_unstable();
            match faces.get(&key) {
                Some(&face) => {
                    for &g in &groups {
                        mesh.face_sets
                            .entry(raw.group_name(2, g))
                            .or_default()
                            .push(face);
                    }
                }
                None => {
                    for &g in &groups {
                        internal
                            .entry(key.clone())
                            .or_default()
                            .push((raw.group_name(2, g), *tag));
                    }
                }
            }
        }
        for g in groups {
            mesh.node_sets
                .entry(raw.group_name(*dim, g))
                .or_default()
                .extend(nodes);
        }
    }
    let inside: std::collections::BTreeSet<String> = internal
        .values()
        .flatten()
        .map(|(g, _)| g.clone())
        .collect();
    for (key, groups) in interior_faces(mesh, internal)? {
        let nodes = mesh.face_nodes(key);
        for (g, _) in groups {
            mesh.node_sets.entry(g).or_default().extend(&nodes);
        }
    }
    for name in mesh.face_sets.keys().cloned().collect::<Vec<_>>() {
        if inside.contains(&name) {
            let faces = mesh.face_sets.remove(&name).unwrap_or_default();
            let nodes: Vec<usize> = faces.into_iter().flat_map(|f| mesh.face_nodes(f)).collect();
            mesh.node_sets.entry(name).or_default().extend(nodes);
        } else {
            mesh.node_sets.remove(&name);
        }
    }
    Ok(())
}

/// Physical groups (name, surface element tag) of one surface element.
type Groups = Vec<(String, usize)>;

/// The element face of every interior surface element (by its sorted corner nodes),
/// with the groups it belongs to; a surface element that is no face of the volume mesh
/// is an error naming it.
fn interior_faces(
    mesh: &Mesh,
    mut wanted: HashMap<Vec<usize>, Groups>,
) -> Result<Vec<(FaceRef, Groups)>> {
    let mut found = Vec::new();
    if wanted.is_empty() {
        return Ok(found);
    }
    for element in 0..mesh.element_count() {
        let (kind, nodes) = mesh.element(element);
        for f in 0..kind.face_count() {
            let mut key: Vec<usize> = kind.face_corners(f).iter().map(|&a| nodes[a]).collect();
            key.sort_unstable();
            if let Some(groups) = wanted.remove(&key) {
                found.push((
                    FaceRef {
                        element,
                        face: f as u8,
                    },
                    groups,
                ));
            }
        }
    }
    if let Some((_, groups)) = wanted.into_iter().next() {
        let (group, tag) = &groups[0];
        bail!("surface element {tag} (physical group '{group}') is not a face of the volume mesh");
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_TETS: &str = "$MeshFormat\n4.1 0 8\n$EndMeshFormat\n$PhysicalNames\n2\n2 1 \"load\"\n3 2 \"body\"\n$EndPhysicalNames\n$Entities\n0 0 1 1\n1 0 0 0 1 1 1 1 1 0\n1 0 0 0 1 1 1 1 2 0\n$EndEntities\n$Nodes\n1 5 1 5\n3 1 0 5\n1\n2\n3\n4\n5\n0 0 0\n1 0 0\n0 1 0\n0 0 1\n1 1 1\n$EndNodes\n$Elements\n2 3 1 3\n3 1 4 2\n1 1 2 3 4\n2 2 3 5 4\n2 1 2 1\n3 1 2 4\n$EndElements\n";

    #[test]
    fn reads_ascii_groups_into_sets() {
        let m = parse(TWO_TETS.as_bytes()).unwrap();
        assert_eq!(m.nodes.len(), 5);
        // Reports name nodes by their Gmsh tags.
        assert_eq!((m.node_label(0), m.node_label(4)), (1, 5));
        assert_eq!(m.element_count(), 2);
        // ... and elements by theirs.
        assert_eq!(m.element_labels, vec![1, 2]);
        assert_eq!(m.element_sets["body"], vec![0, 1]);
        assert_eq!(m.face_sets["load"].len(), 1);
        assert_eq!(m.face_sets["load"][0].element, 0);
    }

    #[test]
    fn an_internal_surface_is_a_node_set() {
        // The surface element is the face the two tets share.
        let m = parse(
            TWO_TETS
                .replace("3 1 2 4\n$EndElements", "3 2 3 4\n$EndElements")
                .as_bytes(),
        )
        .unwrap();
        assert!(!m.face_sets.contains_key("load"));
        assert_eq!(m.node_sets["load"], vec![1, 2, 3]);
        assert_eq!(m.set_nodes("load").unwrap(), vec![1, 2, 3]);
        // Nodes common to two sets: the shared face is where both tets meet.
        assert_eq!(m.set_nodes("load & body").unwrap(), vec![1, 2, 3]);
        let outside = TWO_TETS.replace("3 1 2 4\n$EndElements", "3 1 3 5\n$EndElements");
        let e = format!("{:#}", parse(outside.as_bytes()).unwrap_err());
        assert!(e.contains("not a face of the volume mesh"), "{e}");
    }

    #[test]
    fn rejects_old_versions_and_bad_references() {
        let old = TWO_TETS.replace("4.1 0 8", "2.2 0 8");
        let e = format!("{:#}", parse(old.as_bytes()).unwrap_err());
        assert!(
            e.contains("$MeshFormat, near line 2") && e.contains("2.2"),
            "{e}"
        );
        let bad = TWO_TETS.replace("2 2 3 5 4", "2 2 3 9 4");
        let e = format!("{:#}", parse(bad.as_bytes()).unwrap_err());
        assert!(
            e.contains("element 2")
                && e.contains("node 9")
                && e.contains("$Elements, near line 32"),
            "{e}"
        );
        let bad = TWO_TETS.replace("0 1 0\n", "0 x 0\n");
        let e = format!("{:#}", parse(bad.as_bytes()).unwrap_err());
        assert!(
            e.contains("$Nodes, near line 24") && e.contains("'x'"),
            "{e}"
        );
    }
}
