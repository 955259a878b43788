//! After warm-up, repeated gradients allocate nothing (counted by a global allocator that counts
//! this thread's allocations); a thread's tape memory is freed when the thread exits (live bytes
//! counted across threads).

use diffprog_dual::Scalar;
use diffprog_reverse::gradient_into;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, Ordering};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// Bytes currently allocated by the whole process.
static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

// SAFETY-free: the allocator only forwards to `System` and counts; no unsafe code of our own is
// needed beyond the trait's required `unsafe fn` signatures.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe {
            let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
            LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
            System.alloc(layout)
        }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe {
            LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
            System.dealloc(ptr, layout)
        }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe {
            let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
            LIVE_BYTES.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
            System.realloc(ptr, layout, new_size)
        }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(|c| c.get())
}

fn rosenbrock<T: Scalar>(x: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = T::one() - x[i];
        s += a * a * 100.0 + b * b;
    }
    s
}

#[test]
fn repeated_gradients_allocate_nothing_after_warm_up() {
    let x: Vec<f64> = (0..500).map(|i| 0.5 + 0.001 * i as f64).collect();
    let mut g = vec![0.0; x.len()];
    let first = gradient_into(rosenbrock, &x, &mut g); // warm-up: sizes the tape
    let before = allocations();
    for _ in 0..20 {
        let v = gradient_into(rosenbrock, &x, &mut g);
        assert_eq!(v, first);
    }
    assert_eq!(
        allocations() - before,
        0,
        "gradient_into allocated after warm-up"
    );
    // the counter does count: a Vec allocates
    let v = vec![1u8; 10];
    assert_eq!(allocations() - before, 1);
    drop(v);
}

#[test]
fn a_threads_tape_is_freed_when_the_thread_exits() {
    // ≈ 400 000 records of 48 bytes (one per Rosenbrock term), adjoints and 400 000 input `Var`s
    // of 40 bytes: about 38 MB while the thread lives.
    let n = 400_000;
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    let (peak, value) = std::thread::spawn(move || {
        let x: Vec<f64> = (0..n).map(|i| 0.5 + 1e-6 * i as f64).collect();
        let mut g = vec![0.0; n];
        let value = gradient_into(rosenbrock, &x, &mut g);
        (LIVE_BYTES.load(Ordering::Relaxed), value)
    })
    .join()
    .unwrap();
    assert!(value.is_finite());
    let after = LIVE_BYTES.load(Ordering::Relaxed);
    assert!(
        peak - before > 20_000_000,
        "the tape should have been large while the thread lived: {} bytes",
        peak - before
    );
    assert!(
        after - before < 4_000_000,
        "the exited thread's tape was not freed: {} bytes still live",
        after - before
    );
}
