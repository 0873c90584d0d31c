//! Andrews' squeezing mechanism once, with the integrator's statistics and the error
//! against the IVP test set: `cargo run --release --example andrews -- 1e-9`.

#[path = "../tests/common/andrews.rs"]
mod andrews;

fn main() {
    let tolerance: f64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1e-9);
    let options = vproto_solver::multibody::MotionOptions {
        end_time: 0.03,
        output_step: 0.03,
        tolerance,
    };
    let start = std::time::Instant::now();
    let sol = vproto_solver::multibody::simulate(&andrews::andrews(), &options).unwrap();
    let wall = start.elapsed().as_secs_f64();
    let q = andrews::angles(sol.samples.last().unwrap());
    for (k, (a, b)) in q.iter().zip(andrews::Q_REF).enumerate() {
        println!("q{k} = {a:.15}  reference {b:.15}  error {:.2e}", a - b);
    }
    println!("{:?}\nwall {wall:.3} s", sol.stats);
}
