//! Runs of bytes found eight at a time, for the readers of long JSON text
//! (the audit log's lines, an artifact's identity dump).
//!
//! A word's bytes are tested at once with the has-zero-byte arithmetic: each
//! test sets the top bit of a byte it finds (exactly as to whether any byte
//! of the word is found, if not always which), so only a word that holds
//! one is walked byte by byte.

const ONES: u64 = u64::from_le_bytes([1; 8]);
const TOPS: u64 = ONES * 0x80;

/// Has a top bit set if, and only if, a byte of `w` equals `c` (the lowest
/// such byte's for certain; a borrow may flag others).
#[inline]
pub fn equal(w: u64, c: u8) -> u64 {
    let x = w ^ (ONES * u64::from(c));
    x.wrapping_sub(ONES) & !x
}

/// Has a top bit set if, and only if, a byte of `w` is below `n` (for `n`
/// up to 0x80; the lowest such byte's for certain).
#[inline]
pub fn below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(ONES * u64::from(n)) & !w
}

/// How many bytes at the start of `b` pass `keep`. A word in which `found`
/// sets no top bit is passed whole; `found` must set one in every word
/// holding a byte that `keep` refuses.
#[inline]
pub fn run(b: &[u8], found: impl Fn(u64) -> u64, keep: impl Fn(u8) -> bool) -> usize {
    let mut i = 0;
    while let Some(word) = b.get(i..i + 8) {
        let w = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
        if found(w) & TOPS != 0 {
            break;
        }
        i += 8;
    }
    i + b[i..].iter().position(|&c| !keep(c)).unwrap_or(b.len() - i)
}
