//! Writes a 12-megapixel phone-like photo (a 4000×3000 JPEG at quality 92, made from gradients
//! and grain exactly as the `develop` example makes it; nothing is downloaded) to a file, for
//! benchmarks that upload photos (bench/photo-uploads.sh).
//!
//!     cargo run --release -p tend-media --example make_photo -- /tmp/photo.jpg [WIDTH HEIGHT]

use image::codecs::jpeg::JpegEncoder;
use image::{ImageEncoder, RgbImage};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: make_photo OUT.jpg [WIDTH HEIGHT]  (default 4000 3000)");
        std::process::exit(2);
    };
    let mut dimension = |default: u32| match args.next().map(|arg| arg.parse::<u32>()) {
        None => default,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("WIDTH and HEIGHT are positive numbers of pixels");
            std::process::exit(2);
        }
    };
    let (width, height) = (dimension(4000), dimension(3000));
    let photo = phone_photo(width, height);
    if let Err(error) = std::fs::write(&path, &photo) {
        eprintln!("could not write {path}: {error}");
        std::process::exit(1);
    }
    println!("{path}: {width}×{height} JPEG, {} bytes", photo.len());
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
