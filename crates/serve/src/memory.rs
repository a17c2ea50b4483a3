//! Giving freed memory back: after a crowd of connections has gone, glibc
//! keeps the pages they used unless asked, and the server would stay at its
//! peak size.

/// Returns the pages the allocator holds but nothing uses.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(crate) fn release_free_memory() {
    // SAFETY: malloc_trim only gives unused pages back to the system; it is
    // thread-safe and leaves every live allocation where it is.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn release_free_memory() {}
