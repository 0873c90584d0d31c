//! The contact pairs of a nonlinear run: their states between increments, the
//! multipliers of the augmentations within one, and the stabilisation's work.

use crate::assembly::scatter_coupling;
use crate::contact::{Contact, ContactResult, Interface, PointState};
use crate::dofs::DofMap;
use crate::error::Result;
use crate::mesh::Mesh;
use faer::sparse::SymbolicSparseColMat;
use std::cell::{Cell, RefCell};

/// Stabilisation stiffness as a fraction of the contact penalty.
const STABILISATION: f64 = 1e-6;

/// At most this many augmentations an increment.
pub(super) const AUGMENTATIONS: usize = 12;

/// The contact pairs of a run.
#[derive(Default)]
pub(super) struct Contacts {
    pub interfaces: Vec<Interface>,
    /// Stabilisation stiffness of each pair (Pa/m): zero unless some part is held only
    /// by contact.
    pub stabilisation: Vec<f64>,
    pub committed: RefCell<Vec<Vec<PointState>>>,
    pub lambda: RefCell<Vec<Vec<f64>>>,
    /// The stabilisation's work so far (J).
    pub work: Cell<f64>,
}

impl Contacts {
    /// Pairs every contact; `modulus(element)` gives an element's Young's modulus.
    pub fn new(mesh: &Mesh, contacts: &[Contact], modulus: &dyn Fn(usize) -> f64) -> Result<Self> {
        let mut interfaces = Vec::with_capacity(contacts.len());
        for c in contacts {
            let e = c
                .slave
                .iter()
                .chain(&c.master)
                .map(|f| modulus(f.element))
                .fold(0.0, f64::max);
            interfaces.push(Interface::new(mesh, c, e)?);
        }
        let committed: Vec<Vec<PointState>> = interfaces
            .iter()
            .map(|i| vec![PointState::default(); i.points.len()])
            .collect();
        Ok(Self {
            stabilisation: vec![0.0; interfaces.len()],
            lambda: RefCell::new(committed.iter().map(|c| vec![0.0; c.len()]).collect()),
            committed: RefCell::new(committed),
            interfaces,
            work: Cell::new(0.0),
        })
    }

    /// Each contact pair's committed points.
    pub fn results(&self) -> Vec<ContactResult> {
        let committed = self.committed.borrow();
        self.interfaces
            .iter()
            .zip(committed.iter())
            .map(|(c, states)| ContactResult {
                name: c.name.clone(),
                friction: c.friction,
                nodes: c.points.iter().map(|p| p.node).collect(),
                areas: c.points.iter().map(|p| p.area).collect(),
                states: states.clone(),
            })
            .collect()
    }

    /// Every point's nodes (slave and master), one group a point.
    pub fn cliques(&self) -> Vec<Vec<usize>> {
        self.interfaces.iter().flat_map(|i| i.cliques()).collect()
    }

    /// Turns the stabilisation on (parts are held only through contact).
    pub fn stabilise(&mut self) {
        for (s, i) in self.stabilisation.iter_mut().zip(&self.interfaces) {
            *s = STABILISATION * i.penalty;
        }
    }

    /// The multipliers an increment starts from: the committed pressures.
    pub fn start(&self) {
        let committed = self.committed.borrow();
        *self.lambda.borrow_mut() = committed
            .iter()
            .map(|c| c.iter().map(|s| s.pressure).collect())
            .collect();
    }

    /// The trial states at `u`, their forces added to the internal forces `f`.
    pub fn evaluate(&self, u: &[f64], f: &mut [f64]) -> Vec<Vec<PointState>> {
        let committed = self.committed.borrow();
        let lambda = self.lambda.borrow();
        self.interfaces
            .iter()
            .enumerate()
            .map(|(i, c)| c.evaluate(u, &committed[i], &lambda[i], self.stabilisation[i], f))
            .collect()
    }

    /// Adds the contact tangent at `trial` into `values`.
    pub fn tangent(
        &self,
        trial: &[Vec<PointState>],
        dofs: &DofMap,
        pattern: &SymbolicSparseColMat<usize>,
        values: &mut [f64],
    ) {
        let committed = self.committed.borrow();
        for (i, c) in self.interfaces.iter().enumerate() {
            for (k, p) in c.points.iter().enumerate() {
                let a = c.block(p, &committed[i][k], &trial[i][k], self.stabilisation[i]);
                scatter_coupling(&p.terms, &a, dofs, pattern, values);
            }
        }
    }

    /// Updates the multipliers when some point penetrates too far; false when none does.
    pub fn augment(&self, trial: &[Vec<PointState>]) -> bool {
        let mut lambda = self.lambda.borrow_mut();
        let mut any = false;
        for (i, c) in self.interfaces.iter().enumerate() {
            if let Some(l) = c.augment(&trial[i]) {
                lambda[i] = l;
                any = true;
            }
        }
        any
    }

    /// Commits a converged increment's states, adding the stabilisation's work.
    pub fn commit(&self, trial: Vec<Vec<PointState>>) {
        let mut committed = self.committed.borrow_mut();
        let mut work = self.work.get();
        for (i, c) in self.interfaces.iter().enumerate() {
            for (k, p) in c.points.iter().enumerate() {
                let step = trial[i][k].relative - committed[i][k].relative;
                let held = c.stabilised(p, &trial[i][k]) * step;
                work += self.stabilisation[i] * p.area * held.dot(&step);
            }
        }
        self.work.set(work);
        *committed = trial;
    }
}
