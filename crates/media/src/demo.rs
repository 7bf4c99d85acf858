//! Pictures for the demo couple, drawn in code: no stock photos, nothing downloaded. Each is
//! a simple scene (a sunset over water, hills, a window with plants, a loaf, a train window
//! at dusk, bicycles) in soft gradients, made as JPEG so it goes through the darkroom as a
//! phone's photo would.

use image::{ImageEncoder, Rgb, RgbImage};

const W: u32 = 960;
const H: u32 = 720;

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> Rgb<u8> {
    let t = t.clamp(0.0, 1.0);
    let c = |i: usize| (f32::from(a[i]) + (f32::from(b[i]) - f32::from(a[i])) * t).round() as u8;
    Rgb([c(0), c(1), c(2)])
}

fn sky(img: &mut RgbImage, top: [u8; 3], bottom: [u8; 3]) {
    for (_, y, px) in img.enumerate_pixels_mut() {
        *px = mix(top, bottom, y as f32 / H as f32);
    }
}

fn disc(img: &mut RgbImage, cx: f32, cy: f32, r: f32, colour: [u8; 3]) {
    for (x, y, px) in img.enumerate_pixels_mut() {
        let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
        if d < r {
            *px = Rgb(colour);
        } else if d < r + 2.0 {
            *px = mix(px.0, colour, r + 2.0 - d);
        }
    }
}

/// Fills below a curve `ground(x)` (in pixels from the top) with a vertical gradient.
fn land(img: &mut RgbImage, ground: impl Fn(f32) -> f32, near: [u8; 3], far: [u8; 3]) {
    for (x, y, px) in img.enumerate_pixels_mut() {
        let g = ground(x as f32);
        if y as f32 >= g {
            *px = mix(far, near, (y as f32 - g) / (H as f32 - g).max(1.0));
        }
    }
}

fn rect(img: &mut RgbImage, x0: u32, y0: u32, x1: u32, y1: u32, colour: [u8; 3]) {
    for y in y0.min(H)..y1.min(H) {
        for x in x0.min(W)..x1.min(W) {
            img.put_pixel(x, y, Rgb(colour));
        }
    }
}

fn sunset() -> RgbImage {
    let mut img = RgbImage::new(W, H);
    sky(&mut img, [62, 74, 137], [247, 164, 104]);
    disc(&mut img, 480.0, 430.0, 70.0, [255, 214, 150]);
    land(&mut img, |_| 450.0, [28, 52, 82], [222, 142, 110]);
    img
}

fn hills() -> RgbImage {
    let mut img = RgbImage::new(W, H);
    sky(&mut img, [150, 196, 230], [232, 240, 236]);
    land(&mut img, |x| 380.0 + 60.0 * (x / 130.0).sin(), [96, 140, 86], [150, 186, 120]);
    land(&mut img, |x| 500.0 + 40.0 * (x / 90.0 + 1.0).cos(), [58, 104, 64], [92, 140, 84]);
    img
}

fn window() -> RgbImage {
    let mut img = RgbImage::new(W, H);
    sky(&mut img, [238, 224, 200], [214, 196, 170]);
    rect(&mut img, 220, 90, 740, 520, [186, 214, 234]);
    rect(&mut img, 472, 90, 488, 520, [240, 236, 228]);
    rect(&mut img, 220, 297, 740, 313, [240, 236, 228]);
    rect(&mut img, 180, 520, 780, 560, [150, 110, 80]);
    for (i, x) in [290.0, 420.0, 560.0, 680.0].into_iter().enumerate() {
        disc(&mut img, x, 470.0, 45.0 + 8.0 * i as f32, [70 + 10 * i as u8, 130, 80]);
        rect(&mut img, x as u32 - 30, 480, x as u32 + 30, 522, [196, 110, 76]);
    }
    img
}

fn loaf() -> RgbImage {
    let mut img = RgbImage::new(W, H);
    sky(&mut img, [244, 238, 226], [220, 206, 186]);
    disc(&mut img, 480.0, 520.0, 300.0, [236, 230, 220]);
    for (x, y, px) in img.enumerate_pixels_mut() {
        let (dx, dy) = ((x as f32 - 480.0) / 230.0, (y as f32 - 420.0) / 130.0);
        if dx * dx + dy * dy < 1.0 {
            *px = mix([206, 146, 84], [150, 92, 48], dy.abs() * 0.8 + dx.abs() * 0.3);
        }
    }
    img
}

fn train() -> RgbImage {
    let mut img = RgbImage::new(W, H);
    sky(&mut img, [40, 40, 92], [236, 120, 96]);
    land(&mut img, |x| 470.0 + 20.0 * (x / 60.0).sin(), [20, 24, 40], [60, 52, 80]);
    rect(&mut img, 0, 0, W, 70, [30, 30, 36]);
    rect(&mut img, 0, 650, W, H, [30, 30, 36]);
    rect(&mut img, 0, 0, 60, H, [30, 30, 36]);
    rect(&mut img, 900, 0, W, H, [30, 30, 36]);
    img
}

fn bikes() -> RgbImage {
    let mut img = RgbImage::new(W, H);
    sky(&mut img, [210, 220, 224], [236, 232, 224]);
    rect(&mut img, 0, 430, W, H, [180, 168, 150]);
    for (cx, colour) in [(300.0, [200, 70, 60]), (640.0, [60, 110, 170])] {
        for dx in [-110.0, 110.0] {
            disc(&mut img, cx + dx, 500.0, 80.0, [40, 40, 40]);
            disc(&mut img, cx + dx, 500.0, 70.0, [200, 196, 186]);
        }
        rect(&mut img, cx as u32 - 110, 440, cx as u32 + 110, 452, colour);
        rect(&mut img, cx as u32 - 8, 380, cx as u32 + 8, 450, colour);
    }
    img
}

fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88);
    // Encoding an in-memory RGB image of these fixed dimensions does not fail.
    let _ = encoder.write_image(img.as_raw(), W, H, image::ExtendedColorType::Rgb8);
    out
}

/// Six pictures, as JPEG bytes.
pub fn pictures() -> Vec<Vec<u8>> {
    [sunset(), window(), loaf(), hills(), train(), bikes()].iter().map(jpeg).collect()
}

/// A photo-like picture for benchmarks (`examples/develop.rs`, `examples/make_photo.rs`): a sky-to-ground gradient, a soft "sun" and per-pixel sensor noise,
/// encoded at quality 92 as a phone would. Deterministic, so runs compare.
pub fn phone_photo(width: u32, height: u32) -> Vec<u8> {
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
    // Encoding an in-memory RGB image does not fail.
    let _ = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92).write_image(
        image.as_raw(),
        width,
        height,
        image::ExtendedColorType::Rgb8,
    );
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_pictures_are_distinct_jpegs() {
        let all = super::pictures();
        assert_eq!(all.len(), 6);
        for p in &all {
            assert!(p.starts_with(&[0xFF, 0xD8]) && p.len() > 5_000, "a real JPEG of {} bytes", p.len());
            let back = image::load_from_memory(p).expect("decodes");
            assert_eq!((back.width(), back.height()), (super::W, super::H));
        }
        for (i, a) in all.iter().enumerate() {
            assert!(all[i + 1..].iter().all(|b| b != a));
        }
    }
}
