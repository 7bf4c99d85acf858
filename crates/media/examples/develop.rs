//! Times the darkroom on a 12-megapixel phone photo (4000×3000), made here from gradients and
//! noise so it compresses like a real one, against the budget of 1.5 s per photo.
//!
//!     cargo run --release -p tend-media --example develop -- 9   # nine runs (default 5)

use std::time::{Duration, Instant};
use tend_domain::photo::Size;
use tend_media::darkroom::develop_bytes;

const BUDGET: Duration = Duration::from_millis(1500);

fn main() {
    let runs: usize = match std::env::args().nth(1).map(|arg| arg.parse()) {
        None => 5,
        Some(Ok(runs)) if runs > 0 => runs,
        Some(_) => {
            eprintln!("usage: develop [RUNS]  (RUNS a positive number, default 5)");
            std::process::exit(2);
        }
    };

    let photo = tend_media::demo::phone_photo(4000, 3000);
    println!("Developing a 4000×3000 (12 MP) JPEG of {:.2} MB, {runs} runs", photo.len() as f64 / 1e6);

    let mut times = Vec::with_capacity(runs);
    let mut developed = None;
    for _ in 0..runs {
        let started = Instant::now();
        let result = develop_bytes(&photo);
        times.push(started.elapsed());
        match result {
            Ok(result) => developed = Some(result),
            Err(refusal) => {
                eprintln!("refused: {refusal}");
                std::process::exit(1);
            }
        }
    }
    let Some(developed) = developed else { return };

    for size in Size::ALL {
        let bytes = developed.bytes(size);
        let (width, height) = image::load_from_memory(bytes).map(|i| (i.width(), i.height())).unwrap_or_default();
        println!(
            "  {:<6} {width:>4}×{height:<4} {:>9} bytes ({:.0} KB)",
            size.as_str(),
            bytes.len(),
            bytes.len() as f64 / 1e3
        );
    }
    times.sort();
    let median = times[times.len() / 2];
    let max = times[times.len() - 1];
    println!("  median {} ms, max {} ms", median.as_millis(), max.as_millis());
    println!(
        "  budget {} ms: median at {:.0}%, max at {:.0}%",
        BUDGET.as_millis(),
        100.0 * median.as_secs_f64() / BUDGET.as_secs_f64(),
        100.0 * max.as_secs_f64() / BUDGET.as_secs_f64()
    );
}
