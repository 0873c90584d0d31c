//! A small HDF5 writer over the pure-Rust `hdf5-pure` crate: groups, datasets and
//! attributes are added by path (`load_cases/modes/mode_1/displacement`) in any order,
//! and the file is built once at the end. No system library is needed.
//!
//! Datasets are contiguous (no chunking, no compression): every reader, from h5py and
//! h5dump to ParaView's VTK, opens them.

use anyhow::{anyhow, Result};
use hdf5_pure::{AttrValue, FileBuilder, GroupBuilder};
use std::path::Path;

/// The values of a dataset.
enum Values {
    F64(Vec<f64>),
    I64(Vec<i64>),
    I32(Vec<i32>),
    U8(Vec<u8>),
    Text(Vec<String>),
}

struct Dataset {
    name: String,
    values: Values,
    shape: Vec<u64>,
    attrs: Vec<(String, AttrValue)>,
}

#[derive(Default)]
struct Group {
    name: String,
    groups: Vec<Group>,
    datasets: Vec<Dataset>,
    attrs: Vec<(String, AttrValue)>,
}

impl Group {
    /// The group at `path` below this one, created as needed.
    fn at(&mut self, path: &str) -> &mut Group {
        let mut g = self;
        for part in path.split('/').filter(|p| !p.is_empty()) {
            let i = match g.groups.iter().position(|c| c.name == part) {
                Some(i) => i,
                None => {
                    g.groups.push(Group {
                        name: part.to_string(),
                        ..Default::default()
                    });
                    g.groups.len() - 1
                }
            };
            g = &mut g.groups[i];
        }
        g
    }
}

/// An HDF5 file being built.
#[derive(Default)]
pub struct H5 {
    root: Group,
}

fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

impl H5 {
    pub fn new() -> Self {
        Self::default()
    }

    fn dataset(&mut self, path: &str, values: Values, len: usize, columns: usize) -> Result<()> {
        if columns == 0 || !len.is_multiple_of(columns) {
            return Err(anyhow!(
                "dataset {path}: {len} values do not fill rows of {columns}"
            ));
        }
        let shape = if columns == 1 {
            vec![len as u64]
        } else {
            vec![(len / columns) as u64, columns as u64]
        };
        let (parent, name) = split(path);
        self.root.at(parent).datasets.push(Dataset {
            name: name.to_string(),
            values,
            shape,
            attrs: Vec::new(),
        });
        Ok(())
    }

    /// A dataset of doubles, `columns` per row (1: a vector). An owned vector is moved
    /// in, a slice copied.
    pub fn f64(&mut self, path: &str, values: impl Into<Vec<f64>>, columns: usize) -> Result<()> {
        let v = values.into();
        let n = v.len();
        self.dataset(path, Values::F64(v), n, columns)
    }

    pub fn i64(&mut self, path: &str, values: impl Into<Vec<i64>>, columns: usize) -> Result<()> {
        let v = values.into();
        let n = v.len();
        self.dataset(path, Values::I64(v), n, columns)
    }

    pub fn i32(&mut self, path: &str, values: impl Into<Vec<i32>>) -> Result<()> {
        let v = values.into();
        let n = v.len();
        self.dataset(path, Values::I32(v), n, 1)
    }

    pub fn u8(&mut self, path: &str, values: impl Into<Vec<u8>>) -> Result<()> {
        let v = values.into();
        let n = v.len();
        self.dataset(path, Values::U8(v), n, 1)
    }

    /// A dataset of variable-length UTF-8 strings.
    pub fn strings(&mut self, path: &str, values: Vec<String>) -> Result<()> {
        let n = values.len();
        self.dataset(path, Values::Text(values), n, 1)
    }

    /// An attribute of the group or dataset at `path` (`""` is the root group).
    pub fn attr(&mut self, path: &str, name: &str, value: AttrValue) {
        let (parent, last) = split(path);
        let g = self.root.at(parent);
        if let Some(d) = g.datasets.iter_mut().find(|d| d.name == last) {
            d.attrs.push((name.to_string(), value));
        } else {
            g.at(last).attrs.push((name.to_string(), value));
        }
    }

    /// A variable-length UTF-8 string attribute.
    pub fn text(&mut self, path: &str, name: &str, value: &str) {
        self.attr(path, name, AttrValue::VarLenString(value.to_string()));
    }

    pub fn number(&mut self, path: &str, name: &str, value: f64) {
        self.attr(path, name, AttrValue::F64(value));
    }

    /// Builds the file and writes it to `path`.
    pub fn write(self, path: &Path) -> Result<()> {
        let mut fb = FileBuilder::new();
        for d in &self.root.datasets {
            fill(fb.create_dataset(&d.name), d);
        }
        for g in &self.root.groups {
            let built = build(fb.create_group(&g.name), g);
            fb.add_group(built);
        }
        for (name, value) in &self.root.attrs {
            fb.set_attr(name, value.clone());
        }
        let bytes = fb.finish().map_err(|e| anyhow!("HDF5: {e}"))?;
        std::fs::write(path, bytes)?;
        Ok(())
    }
}

fn fill(b: &mut hdf5_pure::DatasetBuilder, d: &Dataset) {
    match &d.values {
        Values::F64(v) => b.with_f64_data(v),
        Values::I64(v) => b.with_i64_data(v),
        Values::I32(v) => b.with_i32_data(v),
        Values::U8(v) => b.with_u8_data(v),
        Values::Text(v) => b.with_vlen_strings(&v.iter().map(String::as_str).collect::<Vec<_>>()),
    };
    b.with_shape(&d.shape);
    for (name, value) in &d.attrs {
        b.set_attr(name, value.clone());
    }
}

fn build(mut gb: GroupBuilder, g: &Group) -> hdf5_pure::FinishedGroup {
    for d in &g.datasets {
        fill(gb.create_dataset(&d.name), d);
    }
    for sub in &g.groups {
        let built = build(gb.create_group(&sub.name), sub);
        gb.add_group(built);
    }
    for (name, value) in &g.attrs {
        gb.set_attr(name, value.clone());
    }
    gb.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_groups_datasets_and_attributes_read_back() {
        let mut h = H5::new();
        h.f64("a/b/x", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 3).unwrap();
        h.i64("a/ids", [7, 8], 1).unwrap();
        h.text("a/b/x", "unit", "m");
        h.number("a/b", "frequency", 12.5);
        h.text("", "units", "SI");
        let dir = std::env::temp_dir().join(format!("vproto-h5-{}", crate::files::unique_suffix()));
        std::fs::create_dir(&dir).unwrap();
        let p = dir.join("t.h5");
        h.write(&p).unwrap();
        let f = hdf5_pure::File::open(&p).unwrap();
        let x = f.dataset("a/b/x").unwrap();
        assert_eq!(x.shape().unwrap(), vec![2, 3]);
        assert_eq!(x.read_f64().unwrap(), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(f.dataset("a/ids").unwrap().read_i64().unwrap(), vec![7, 8]);
        assert!(f
            .dataset("a/b/x")
            .unwrap()
            .attrs()
            .unwrap()
            .contains_key("unit"));
        assert!(f
            .group("a/b")
            .unwrap()
            .attrs()
            .unwrap()
            .contains_key("frequency"));
        assert!(h_bad_rows().is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn h_bad_rows() -> Result<()> {
        H5::new().f64("x", [1.0, 2.0, 3.0], 2)
    }
}
