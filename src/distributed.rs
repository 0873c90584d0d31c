//! Sharing a sweep's design points across processes. Without MPI there is one process
//! that runs every point; with the `mpi` feature under `mpirun -n N`, rank r runs the
//! points whose id ≡ r (mod N), and the results are gathered on every rank so rank 0
//! writes the one sweep table.

/// How the design points are shared out.
pub trait Distribution {
    fn rank(&self) -> usize;
    fn size(&self) -> usize;
    /// Every rank's bytes, in rank order, on every rank.
    fn all_gather(&self, mine: Vec<u8>) -> Vec<Vec<u8>>;
}

/// One process runs everything.
pub struct Single;

impl Distribution for Single {
    fn rank(&self) -> usize {
        0
    }
    fn size(&self) -> usize {
        1
    }
    fn all_gather(&self, mine: Vec<u8>) -> Vec<Vec<u8>> {
        vec![mine]
    }
}

#[cfg(feature = "mpi")]
pub use self::mpi_ranks::Mpi;

#[cfg(feature = "mpi")]
mod mpi_ranks {
    use super::Distribution;
    use mpi::datatype::PartitionMut;
    use mpi::traits::*;

    /// The ranks of `MPI_COMM_WORLD`.
    pub struct Mpi {
        world: mpi::topology::SimpleCommunicator,
    }

    impl Mpi {
        pub fn new(universe: &mpi::environment::Universe) -> Self {
            Self {
                world: universe.world(),
            }
        }
    }

    impl Distribution for Mpi {
        fn rank(&self) -> usize {
            self.world.rank() as usize
        }
        fn size(&self) -> usize {
            self.world.size() as usize
        }
        fn all_gather(&self, mine: Vec<u8>) -> Vec<Vec<u8>> {
            let mut counts = vec![0i32; self.size()];
            self.world
                .all_gather_into(&(mine.len() as i32), &mut counts[..]);
            let displs: Vec<i32> = counts
                .iter()
                .scan(0, |acc, &c| {
                    let d = *acc;
                    *acc += c;
                    Some(d)
                })
                .collect();
            let mut all = vec![0u8; counts.iter().sum::<i32>() as usize];
            {
                let mut partition = PartitionMut::new(&mut all[..], counts.clone(), &displs[..]);
                self.world
                    .all_gather_varcount_into(&mine[..], &mut partition);
            }
            counts
                .iter()
                .zip(&displs)
                .map(|(&c, &d)| all[d as usize..(d + c) as usize].to_vec())
                .collect()
        }
    }
}
