//! Compressed (row or column) arrays built in place: a first parallel pass counts each
//! row, a second writes it into its slice of arrays of the exact size. Why: collecting
//! one vector per row and copying them together holds the data twice, and the freed
//! per-row vectors (each too small to go back to the system) stay with the process for
//! the rest of the run — at a million equations, hundreds of megabytes.

use rayon::prelude::*;

/// Rows handed to one task.
const CHUNK: usize = 512;

/// The pointer and entry arrays of `n` rows; `row(i, scratch, out)` appends row `i`
/// to `out` (cleared before each row), with a `scratch` made by `scratch()` once per
/// piece of work rayon splits off (a few per thread). `row` runs twice per row and must give the same entries both times.
pub fn build<T, S>(
    n: usize,
    scratch: impl Fn() -> S + Sync,
    row: impl Fn(usize, &mut S, &mut Vec<T>) + Sync,
) -> (Vec<usize>, Vec<T>)
where
    T: Copy + Default + Send + Sync,
{
    let mut lens = vec![0usize; n];
    let init = || (scratch(), Vec::new());
    lens.par_chunks_mut(CHUNK)
        .enumerate()
        .for_each_init(init, |(s, out), (c, lens)| {
            for (k, len) in lens.iter_mut().enumerate() {
                out.clear();
                row(c * CHUNK + k, s, out);
                *len = out.len();
            }
        });
    let mut ptr = Vec::with_capacity(n + 1);
    ptr.push(0);
    for l in lens {
        ptr.push(ptr[ptr.len() - 1] + l);
    }
    let mut entries = vec![T::default(); ptr[n]];
    let mut pieces = Vec::with_capacity(n.div_ceil(CHUNK));
    let mut rest = entries.as_mut_slice();
    for c in 0..n.div_ceil(CHUNK) {
        let len = ptr[((c + 1) * CHUNK).min(n)] - ptr[c * CHUNK];
        let (piece, tail) = std::mem::take(&mut rest).split_at_mut(len);
        rest = tail;
        pieces.push((c, piece));
    }
    pieces
        .into_par_iter()
        .for_each_init(init, |(s, out), (c, piece)| {
            let mut at = 0;
            for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
                out.clear();
                row(i, s, out);
                piece[at..at + out.len()].copy_from_slice(out);
                at += out.len();
            }
        });
    (ptr, entries)
}

#[cfg(test)]
mod tests {
    #[test]
    fn rows_land_in_place() {
        let (ptr, entries) = super::build(
            1500,
            || 0usize,
            |i, calls, out| {
                *calls += 1;
                out.extend((0..i % 7).map(|k| i * 10 + k));
            },
        );
        assert_eq!(ptr.len(), 1501);
        for i in 0..1500 {
            let row = &entries[ptr[i]..ptr[i + 1]];
            assert_eq!(row, (0..i % 7).map(|k| i * 10 + k).collect::<Vec<_>>());
        }
    }
}
