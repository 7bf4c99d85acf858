//! Writes a 12-megapixel phone-like photo (a 4000×3000 JPEG at quality 92, made from gradients
//! and grain with `tend_media::demo::phone_photo`, as the `develop` example does; nothing is downloaded) to a file, for
//! benchmarks that upload photos (bench/photo-uploads.sh).
//!
//!     cargo run --release -p tend-media --example make_photo -- /tmp/photo.jpg [WIDTH HEIGHT]

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
    let photo = tend_media::demo::phone_photo(width, height);
    if let Err(error) = std::fs::write(&path, &photo) {
        eprintln!("could not write {path}: {error}");
        std::process::exit(1);
    }
    println!("{path}: {width}×{height} JPEG, {} bytes", photo.len());
}
