//! Times the darkroom on a 12-megapixel phone photo (4000×3000), made here from gradients and
//! noise so it compresses like a real one, against the budget of 1.5 s per photo.
//!
//!     cargo run --release -p tend-media --example develop -- 9   # nine runs (default 5)

use image::codecs::jpeg::JpegEncoder;
use image::{ImageEncoder, RgbImage};
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

    let photo = phone_photo(4000, 3000);
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

/// A photo-like picture: a sky-to-ground gradient, a soft "sun" and per-pixel sensor noise,
/// encoded at quality 92 as a phone would. Deterministic, so runs compare.
fn phone_photo(width: u32, height: u32) -> Vec<u8> {
    let mut seed: u32 = 0x9E37_79B9;
    let mut noise = move || {
        // xorshift32: cheap, repeatable grain.
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        (seed % 25) as f32 - 12.0
    };
    let image = RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
        let (dx, dy) = (fx - 0.7, fy - 0.25);
        let sun = (1.0 - (dx * dx + dy * dy).sqrt() * 4.0).max(0.0) * 120.0;
        let ripple = ((fx * 37.0).sin() * (fy * 23.0).cos()) * 18.0;
        let (r, g, b) = if fy < 0.55 {
            (70.0 + 90.0 * fy + sun, 120.0 + 70.0 * fy + sun * 0.8, 220.0 - 60.0 * fy + sun * 0.3)
        } else {
            (90.0 + 60.0 * fx + ripple, 110.0 + 40.0 * (1.0 - fy) + ripple, 60.0 + 30.0 * fx)
        };
        let grain = noise();
        image::Rgb([r, g, b].map(|c| (c + grain).clamp(0.0, 255.0) as u8))
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 92)
        .write_image(image.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .expect("an RGB image encodes");
    out
}
