//! A `getrandom` that always returns the same bytes, loaded with `LD_PRELOAD` into the fuzzer's
//! process by `fuzz/run.sh --ci`.
//!
//! std seeds every `HashMap`'s SipHash keys from `getrandom(2)`, looked up through libc so that
//! preloading can replace it. Hash-table code runs inside instrumented crates (promql-parser's
//! keyword and function tables, our own sets), so random keys change which branches a given
//! input takes, hence libFuzzer's coverage feedback, hence which inputs it goes on to try. Fixed
//! keys make a run from a fixed `-seed` execute the same inputs every time. Nothing in the fuzzed
//! code uses randomness for anything but hash keys; libFuzzer's own comes from `-seed`.

use std::os::raw::{c_uint, c_void};

/// Fills `buf` with a fixed, non-constant byte pattern and reports every byte written.
///
/// # Safety
/// `buf` must be valid for writes of `len` bytes, as `getrandom(2)` requires of its callers.
#[no_mangle]
pub unsafe extern "C" fn getrandom(buf: *mut c_void, len: usize, _flags: c_uint) -> isize {
    if buf.is_null() {
        return -1;
    }
    let out = unsafe { std::slice::from_raw_parts_mut(buf.cast::<u8>(), len) };
    for (i, byte) in out.iter_mut().enumerate() {
        // Any fixed pattern would do; distinct bytes keep SipHash's keys from being all-zero.
        *byte = (i as u8).wrapping_mul(151).wrapping_add(7);
    }
    isize::try_from(len).unwrap_or(isize::MAX)
}
