//! The contact pairs of a nonlinear run: their pairing (followed as the surfaces slide),
//! their states between increments, the multipliers of the augmentations within one,
//! and the stabilisation's work.

use crate::assembly::scatter_coupling;
use crate::contact::sliding::{carry, carry_multipliers};
use crate::contact::{Contact, ContactResult, Interface, Point, PointState, Sliding};
use crate::dofs::DofMap;
use crate::error::Result;
use crate::mesh::Mesh;
use faer::sparse::SymbolicSparseColMat;
use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;

/// Stabilisation stiffness as a fraction of the contact penalty.
const STABILISATION: f64 = 1e-6;

/// At most this many augmentations an increment.
pub(super) const AUGMENTATIONS: usize = 12;

/// The contact pairs of a run.
#[derive(Default)]
pub(super) struct Contacts {
    /// Each pair with its current pairing.
    interfaces: RefCell<Vec<Interface>>,
    /// Stabilisation stiffness of each pair (Pa/m): zero unless some part is held only
    /// by contact.
    pub stabilisation: Vec<f64>,
    /// The last converged increment's points and states.
    saved: RefCell<Vec<(Vec<Point>, Vec<PointState>)>>,
    /// Those states carried to the current pairing.
    committed: RefCell<Vec<Vec<PointState>>>,
    lambda: RefCell<Vec<Vec<f64>>>,
    /// The stabilisation's work so far (J).
    pub work: Cell<f64>,
    /// The node groups of every pairing so far: what the stiffness pattern must hold.
    seen: RefCell<BTreeSet<Vec<usize>>>,
    /// Each pair's surface nodes and their displacement when it was last paired.
    paired: RefCell<Vec<(Vec<usize>, Vec<f64>)>>,
}

/// A pair is paired again only once one of its surface nodes moved by more than this
/// share of the slave faces' size since it was last: less moves no weight by as much
/// as the multipliers resolve.
const STILL: f64 = 1e-4;

impl Contacts {
    /// Pairs every contact; `modulus(element)` gives an element's Young's modulus.
    /// Under `large_deformation` the normals and areas of a sliding pair are the
    /// current ones.
    pub fn new(
        mesh: &Mesh,
        contacts: &[Contact],
        modulus: &dyn Fn(usize) -> f64,
        large_deformation: bool,
    ) -> Result<Self> {
        let mut interfaces = Vec::with_capacity(contacts.len());
        for c in contacts {
            let e = c
                .slave
                .iter()
                .chain(&c.master)
                .map(|f| modulus(f.element))
                .fold(0.0, f64::max);
            let mut interface = Interface::new(mesh, c, e)?;
            if large_deformation {
                interface.undeformed = None;
            }
            interfaces.push(interface);
        }
        let committed: Vec<Vec<PointState>> = interfaces
            .iter()
            .map(|i| vec![PointState::default(); i.points.len()])
            .collect();
        let saved = interfaces
            .iter()
            .zip(&committed)
            .map(|(i, c)| (i.points.clone(), c.clone()))
            .collect();
        let paired = interfaces
            .iter()
            .map(|c| {
                let mut nodes: Vec<usize> = c
                    .slave
                    .iter()
                    .chain(&c.master)
                    .flat_map(|&f| mesh.face_nodes(f))
                    .collect();
                nodes.sort_unstable();
                nodes.dedup();
                let zero = vec![0.0; 3 * nodes.len()];
                (nodes, zero)
            })
            .collect();
        let seen = interfaces
            .iter()
            .flat_map(|i| i.cliques())
            .map(sorted)
            .collect();
        Ok(Self {
            stabilisation: vec![0.0; interfaces.len()],
            lambda: RefCell::new(committed.iter().map(|c| vec![0.0; c.len()]).collect()),
            committed: RefCell::new(committed),
            saved: RefCell::new(saved),
            interfaces: RefCell::new(interfaces),
            work: Cell::new(0.0),
            seen: RefCell::new(seen),
            paired: RefCell::new(paired),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.interfaces.borrow().is_empty()
    }

    /// Pairs the finite-sliding interfaces again at displacement `u` (the committed
    /// displacement `u0`), the points that moved by more than the multipliers resolve
    /// replaced ([`Interface::repaired`]) and the committed states and multipliers
    /// carried over; `trial`: the states at `u` (none: the committed ones, at an
    /// increment's start). True when some point moved.
    pub fn repair(
        &self,
        mesh: &Mesh,
        (u, u0): (&[f64], &[f64]),
        trial: Option<&[Vec<PointState>]>,
    ) -> bool {
        let mut interfaces = self.interfaces.borrow_mut();
        let (mut committed, mut lambda) = (self.committed.borrow_mut(), self.lambda.borrow_mut());
        let (saved, mut seen) = (self.saved.borrow(), self.seen.borrow_mut());
        let mut paired = self.paired.borrow_mut();
        let mut changed = false;
        for (i, c) in interfaces.iter_mut().enumerate() {
            if c.sliding == Sliding::Small || still(&mut paired[i], u, STILL * c.size) {
                continue;
            }
            let states = trial.map_or(&committed[i], |t| &t[i]);
            let Some(new) = c.repaired(c.paired_at(mesh, u), states, u) else {
                continue;
            };
            changed = true;
            lambda[i] = carry_multipliers(&c.points, &lambda[i], &new);
            committed[i] = carry((&saved[i].0, &saved[i].1), &new, u0);
            c.points = new;
            seen.extend(c.cliques().map(sorted));
        }
        changed
    }

    /// Whether `covers` holds every point's nodes' coupling.
    pub fn fit(&self, covers: impl Fn(&[(usize, f64)]) -> bool) -> bool {
        let interfaces = self.interfaces.borrow();
        interfaces
            .iter()
            .all(|c| c.points.iter().all(|p| covers(&p.terms)))
    }

    /// The node groups of every pairing so far.
    pub fn seen(&self) -> Vec<Vec<usize>> {
        self.seen.borrow().iter().cloned().collect()
    }

    /// Each contact pair's committed points.
    pub fn results(&self) -> Vec<ContactResult> {
        let committed = self.committed.borrow();
        self.interfaces
            .borrow()
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
        self.interfaces
            .borrow()
            .iter()
            .flat_map(|i| i.cliques())
            .collect()
    }

    /// Turns the stabilisation on (parts are held only through contact).
    pub fn stabilise(&mut self) {
        for (s, i) in self
            .stabilisation
            .iter_mut()
            .zip(self.interfaces.get_mut().iter())
        {
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
            .borrow()
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
        for (i, c) in self.interfaces.borrow().iter().enumerate() {
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
        for (i, c) in self.interfaces.borrow().iter().enumerate() {
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
        let interfaces = self.interfaces.borrow();
        *self.saved.borrow_mut() = interfaces
            .iter()
            .zip(&trial)
            .map(|(c, t)| (c.points.clone(), t.clone()))
            .collect();
        for (i, c) in interfaces.iter().enumerate() {
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

fn sorted(mut nodes: Vec<usize>) -> Vec<usize> {
    nodes.sort_unstable();
    nodes
}

/// Whether no node of `nodes` moved by more than `limit` from `at` in `u`; else `at`
/// becomes their displacement in `u`.
fn still((nodes, at): &mut (Vec<usize>, Vec<f64>), u: &[f64], limit: f64) -> bool {
    let far = nodes.iter().enumerate().any(|(k, &n)| {
        (0..3)
            .map(|c| (u[3 * n + c] - at[3 * k + c]).powi(2))
            .sum::<f64>()
            > limit * limit
    });
    if far {
        for (k, &n) in nodes.iter().enumerate() {
            at[3 * k..3 * k + 3].copy_from_slice(&u[3 * n..3 * n + 3]);
        }
    }
    !far
}
