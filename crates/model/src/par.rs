//! Work on two cores where there are threads (not in the browser's wasm).

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Runs `a` here and `b` on a second thread, like `rayon::join`; in one thread where threads
/// cannot start.
pub(crate) fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if cfg!(target_arch = "wasm32") {
        return (a(), b());
    }
    // `b` stays reachable here, so it still runs if no thread can be started.
    let b = Mutex::new(Some(b));
    let run_b = || b.lock().ok().and_then(|mut b| b.take()).map(|b| b());
    std::thread::scope(|s| {
        let other = std::thread::Builder::new().spawn_scoped(s, run_b);
        let ra = a();
        let rb = match other {
            Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            Err(_) => run_b(),
        };
        (ra, rb.expect("`b` runs exactly once"))
    })
}

/// Maps `f` over `0..n` cut into runs of `chunk`, shared by two threads, one of which first runs
/// `extra`: whichever thread is free takes the next run, so the two finish together however
/// long `extra` takes. Results come in the runs' order. Up to one run is done here, serially.
pub(crate) fn share<T: Send, E: Send>(
    n: usize,
    chunk: usize,
    f: impl Fn(Range<usize>) -> T + Sync,
    extra: impl FnOnce() -> E + Send,
) -> (Vec<T>, E) {
    if n <= chunk {
        let done = if n == 0 { Vec::new() } else { vec![f(0..n)] };
        return (done, extra());
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let start = next.fetch_add(chunk, Ordering::Relaxed);
            if start >= n {
                return done;
            }
            done.push((start, f(start..n.min(start + chunk))));
        }
    };
    let (mut a, (b, e)) = join(work, || {
        let e = extra();
        (work(), e)
    });
    a.extend(b);
    crate::order::sort_by(&mut a, |x, y| x.0.cmp(&y.0));
    (a.into_iter().map(|(_, t)| t).collect(), e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_work_comes_back_whole_and_in_order() {
        for n in [0, 1, 7, 8, 9, 1000] {
            let (runs, extra) = share(n, 8, |r| r.collect::<Vec<_>>(), || "extra");
            assert_eq!(runs.concat(), (0..n).collect::<Vec<_>>());
            assert!(runs.iter().all(|r| r.len() <= 8));
            assert_eq!(extra, "extra");
        }
    }
}
