//! Memory known before it runs out: the size of a factorisation is known from its
//! symbolic analysis, before a byte of it is allocated, and is checked against the
//! memory the application says is available (the core reads no system files; the
//! application sets the limit once, from the cgroup limit or MemAvailable).

use crate::error::{Result, SolverError};
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes available to the solver; 0 means not known (no check).
static AVAILABLE: AtomicU64 = AtomicU64::new(0);

/// Sets the memory the solver may use (bytes).
pub fn set_available(bytes: u64) {
    AVAILABLE.store(bytes, Ordering::Relaxed);
}

/// Bytes of a sparse Cholesky solve: the factor's values (single precision above
/// [`crate::statics::AUTO_MIXED_FACTOR_ENTRIES`], as the automatic precision chooses)
/// and the matrix (values, row indices, the assembly's copy). Measured: 2.0 GiB at
/// 284k equations (353 M factor entries), 8.7 GiB at 936k (1.82 G).
pub fn factor_bytes(matrix_nnz: usize, factor_nnz: usize) -> u64 {
    let per_entry = if factor_nnz > crate::statics::AUTO_MIXED_FACTOR_ENTRIES {
        4
    } else {
        8
    };
    factor_nnz as u64 * per_entry + matrix_nnz as u64 * (8 + 8 + 8)
}

/// Bytes of the multigrid solver for a stiffness of `upper_nnz` stored entries (upper
/// triangle): the full matrix in compressed rows (24 bytes per upper entry), the
/// smoothed prolongator, the coarse levels and a block of the Galerkin product — or,
/// earlier, the assembled triangle and its copy into rows. Measured on LE10 tet10
/// (process peak less the mesh and results): 45 bytes per upper entry at 477k
/// equations; estimated at 56 (room for a recovery at the same time).
pub fn multigrid_bytes(upper_nnz: usize) -> u64 {
    upper_nnz as u64 * 56
}

/// Bytes of LOBPCG with the multigrid preconditioner for `wanted` eigenpairs of an
/// `n`-equation pencil with `upper_nnz` stored entries per matrix: the hierarchy, the
/// second matrix in compressed rows, and the blocks X, W, P with their two products
/// (about five blocks of three times the block size live at once).
pub fn lobpcg_bytes(upper_nnz: usize, n: usize, wanted: usize) -> u64 {
    let block = 3 * (wanted + (wanted / 4).max(3)) as u64;
    multigrid_bytes(upper_nnz) + upper_nnz as u64 * 24 + 5 * block * n as u64 * 8
}

/// Gives freed heap memory back to the system. glibc keeps freed blocks below its
/// mmap threshold (the reader's records, a set-up's per-node vectors) in the process,
/// where they count towards the peak until a later allocation happens to reuse them;
/// the big arrays after them are mapped separately and never do.
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: malloc_trim takes no pointers; it only unmaps pages that hold no
        // allocation.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Refuses `what` when it would need more than the available memory.
pub fn check(what: &'static str, needed: u64) -> Result<()> {
    let available = AVAILABLE.load(Ordering::Relaxed);
    if available > 0 && needed > available {
        return Err(SolverError::OutOfMemory {
            what,
            needed: size(needed),
            available: size(available),
        });
    }
    Ok(())
}

/// Bytes as people read them: MiB below a GiB, else GiB.
pub fn size(bytes: u64) -> String {
    let mib = bytes as f64 / (1u64 << 20) as f64;
    if mib < 1024.0 {
        format!("{mib:.1} MiB")
    } else {
        format!("{:.2} GiB", mib / 1024.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_factor_larger_than_the_memory_is_refused_with_the_numbers() {
        set_available(1 << 30);
        let e = check("the test factor", factor_bytes(1_000_000, 300_000_000)).unwrap_err();
        assert!(
            e.to_string().contains("GiB") && e.to_string().contains("1.00 GiB"),
            "{e}"
        );
        assert!(check("a small one", factor_bytes(1000, 10_000)).is_ok());
        set_available(0);
    }
}
