use diffprog::{hyperdual, reverse, Scalar};
fn f<T: Scalar>(x: &[T]) -> T {
    x[0].cbrt().max(x[0]) / ((x[1]).tanh() - 1.5)
}
fn g<T: Scalar>(x: &[T]) -> T {
    x[0].cbrt().max(x[0]) * x[1]
}
fn main() {
    let x = [-0.0, -1.8591710337999945];
    let hc = reverse::hessian_chunked::<2, _>(f, &x).2;
    let hc1 = reverse::hessian_chunked::<1, _>(f, &x).2;
    let hv: Vec<_> = (0..2)
        .map(|k| {
            let mut e = [0.0; 2];
            e[k] = 1.0;
            reverse::hessian_vector_product(f, &x, &e).2
        })
        .collect();
    let hh = hyperdual::hessian(f, &x).2;
    println!("f: chunked2 {hc} chunked1 {hc1} hvp {hv:?} hyper {hh}");
    let x = [-0.0, 2.0];
    let hc = reverse::hessian_chunked::<2, _>(g, &x).2;
    let hv: Vec<_> = (0..2)
        .map(|k| {
            let mut e = [0.0; 2];
            e[k] = 1.0;
            reverse::hessian_vector_product(g, &x, &e).2
        })
        .collect();
    println!("g: chunked2 {hc} hvp {hv:?}");
}
