//! The darkroom: turns an upload into three upright JPEGs with no metadata, refusing anything
//! that is not a photo Tend can read, and bounds how many are developed at once.

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, GrayImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, Luma, Rgb, RgbImage};
use std::io::Cursor;
use std::sync::Arc;
use std::time::Duration;
use tend_domain::photo::{Darkroom, Developed, MAX_PIXELS, MAX_UPLOAD_BYTES, Refusal, Size};
use tokio::sync::Semaphore;

/// The memory a decoder may take for one photo. 50 megapixels of 16-bit RGBA PNG is 400 MB, so
/// every photo under [`MAX_PIXELS`] fits; the bound is for what the header does not tell.
const MAX_ALLOC: u64 = 512 * 1024 * 1024;

/// The longest edge any decoder is asked to take; JPEG cannot say more, so PNG and WebP get the
/// same box and a 1×60-million-pixel strip is not taken as a photo.
const MAX_EDGE: u32 = 65_535;

/// How long an upload waits for a free darkroom before the person is told to try again: long
/// enough to ride out a burst of uploads, short enough that the browser is still waiting.
const WAIT_FOR_PERMIT: Duration = Duration::from_secs(20);

/// ISO-BMFF brands that mean HEIF (HEIC from iPhones, and AVIF, which is HEIF with AV1 inside).
const HEIF_BRANDS: [&[u8; 4]; 8] = [b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis"];

/// Develops an upload: checks it, decodes it, turns it upright and encodes the three sizes.
///
/// Synchronous and CPU-bound (half a second or so of one core for 12 megapixels; see
/// `bench/photos.sh`): call it off the async runtime, as [`Lab`] does.
pub fn develop_bytes(upload: &[u8]) -> Result<Developed, Refusal> {
    let format = sniff(upload)?;
    let (image, orientation) = decode(upload, format)?;
    // Turned after flattening: a 16-bit RGBA image is over twice the bytes to copy.
    let mut image = flatten(image);
    image.apply_orientation(orientation);

    // Each size is made from the one above it: 4096 → 1600 → 400 reads far fewer pixels than
    // shrinking the original three times, and a triangle filter over a reduction of 2.5–4 per
    // step keeps the result as sharp as doing it in one go.
    let full = shrink(&image, Size::Full.max_edge()).unwrap_or(image);
    let screen = shrink(&full, Size::Screen.max_edge());
    let screen = screen.as_ref().unwrap_or(&full);
    let thumb = shrink(screen, Size::Thumb.max_edge());
    let thumb = thumb.as_ref().unwrap_or(screen);

    Ok(Developed {
        width: full.width(),
        height: full.height(),
        thumb: encode(thumb, THUMB_QUALITY)?,
        screen: encode(screen, SCREEN_QUALITY)?,
        full: encode(&full, FULL_QUALITY)?,
    })
}

/// Decides from the bytes alone (never a file name or a browser's word) whether this could be a
/// photo, so that the cheap refusals need no decoding and no wait for a darkroom.
fn sniff(upload: &[u8]) -> Result<ImageFormat, Refusal> {
    if upload.len() > MAX_UPLOAD_BYTES {
        return Err(Refusal::TooLarge);
    }
    // HEIC and AVIF are photos, just not ones Tend can read: whoever sends one needs to hear how
    // to send a JPEG instead, not that the file is no photo.
    if is_heif(upload) {
        return Err(Refusal::Heic);
    }
    match image::guess_format(upload) {
        Ok(format @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => Ok(format),
        _ => Err(Refusal::NotAPhoto),
    }
}

/// Whether the upload starts with an ISO-BMFF `ftyp` box naming a HEIF brand, as major or
/// compatible brand (an AVIF says `avif` first and `mif1` among the compatible ones).
fn is_heif(upload: &[u8]) -> bool {
    let Some(header) = upload.get(..8) else { return false };
    if &header[4..8] != b"ftyp" {
        return false;
    }
    let declared = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
    let end = declared.clamp(8, upload.len().min(4096));
    let Some(brands) = upload.get(8..end) else { return false };
    // Major brand, minor version (not a brand, skipped), then compatible brands.
    brands.chunks_exact(4).enumerate().any(|(i, brand)| i != 1 && HEIF_BRANDS.iter().any(|heif| brand == *heif))
}

/// Decodes the pixels and reads how they are to be turned, after refusing from the header alone
/// anything too large, so a small file claiming a huge image (a decompression bomb) costs nothing.
fn decode(upload: &[u8], format: ImageFormat) -> Result<(DynamicImage, Orientation), Refusal> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_EDGE);
    limits.max_image_height = Some(MAX_EDGE);
    limits.max_alloc = Some(MAX_ALLOC);

    let mut reader = ImageReader::with_format(Cursor::new(upload), format);
    reader.limits(limits.clone());
    let mut decoder = reader.into_decoder().map_err(refusal)?;

    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Refusal::TooManyPixels);
    }
    // zune-jpeg, as image configures it, fills a cut-off scan with grey rather than failing; a
    // photo that arrived half-uploaded should be sent again, not kept half grey.
    if format == ImageFormat::Jpeg && !jpeg_is_whole(upload) {
        return Err(Refusal::Damaged);
    }
    // A photo whose EXIF cannot be read is still a photo; showing it as stored beats refusing it.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    // The decoders count their own working memory against the limits, but not the image they
    // fill; `ImageReader::decode` reserves it the same way.
    limits.reserve(decoder.total_bytes()).map_err(refusal)?;

    let image = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    Ok((image, orientation))
}

/// Whether the JPEG's image data reaches its end-of-image marker. Walks the segments rather than
/// searching for the marker, since an embedded EXIF thumbnail carries one of its own; whatever
/// follows the end (a Motion Photo's video, say) is not looked at.
fn jpeg_is_whole(jpeg: &[u8]) -> bool {
    const EOI: u8 = 0xD9;
    let mut at = 2;
    while at + 1 < jpeg.len() {
        if jpeg[at] != 0xFF {
            // Entropy-coded data: 0xFF appears in it only as a marker or followed by a 0 byte.
            at += 1;
            continue;
        }
        match jpeg[at + 1] {
            EOI => return true,
            // Byte stuffing, restart markers and fill bytes stand alone.
            0x00 | 0xD0..=0xD7 | 0xFF => at += 1,
            _ => {
                let Some(length) = jpeg.get(at + 2..at + 4) else { return false };
                at += 2 + usize::from(u16::from_be_bytes([length[0], length[1]]));
            }
        }
    }
    false
}

fn refusal(error: ImageError) -> Refusal {
    match error {
        ImageError::Limits(_) => Refusal::TooManyPixels,
        _ => Refusal::Damaged,
    }
}

/// Reduces any decoded image to 8-bit grey or RGB, the two things a baseline JPEG holds;
/// transparency is laid over white, as a page behind the photo would show it.
fn flatten(image: DynamicImage) -> DynamicImage {
    match image {
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => image,
        DynamicImage::ImageLumaA8(_) | DynamicImage::ImageLumaA16(_) => {
            let grey = image.into_luma_alpha8();
            GrayImage::from_fn(grey.width(), grey.height(), |x, y| {
                let [value, alpha] = grey.get_pixel(x, y).0;
                Luma([over_white(value, alpha)])
            })
            .into()
        }
        _ if !image.color().has_alpha() => {
            if image.color().has_color() {
                image.into_rgb8().into()
            } else {
                image.into_luma8().into()
            }
        }
        _ => {
            let rgba = image.into_rgba8();
            RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
                let [red, green, blue, alpha] = rgba.get_pixel(x, y).0;
                Rgb([over_white(red, alpha), over_white(green, alpha), over_white(blue, alpha)])
            })
            .into()
        }
    }
}

fn over_white(value: u8, alpha: u8) -> u8 {
    let (value, alpha) = (u32::from(value), u32::from(alpha));
    ((value * alpha + 255 * (255 - alpha) + 127) / 255) as u8
}

/// The image shrunk so its long edge is at most `max_edge`, or `None` when it already fits:
/// nothing is ever enlarged.
fn shrink(image: &DynamicImage, max_edge: u32) -> Option<DynamicImage> {
    let (width, height) = (image.width(), image.height());
    let long = width.max(height);
    if long <= max_edge {
        return None;
    }
    let scale =
        |edge: u32| ((u64::from(edge) * u64::from(max_edge) + u64::from(long) / 2) / u64::from(long)).max(1) as u32;
    let (to_width, to_height) = (scale(width), scale(height));
    let fast = match image {
        DynamicImage::ImageRgb8(rgb) => {
            RgbImage::from_raw(to_width, to_height, resample::<3>(rgb.as_raw(), width, height, to_width, to_height))
                .map(DynamicImage::from)
        }
        DynamicImage::ImageLuma8(grey) => {
            GrayImage::from_raw(to_width, to_height, resample::<1>(grey.as_raw(), width, height, to_width, to_height))
                .map(DynamicImage::from)
        }
        // `flatten` leaves nothing else; were it to, `image`'s own filter is the same, only slower.
        _ => None,
    };
    Some(fast.unwrap_or_else(|| image.resize_exact(to_width, to_height, FilterType::Triangle)))
}

/// Fixed-point unity for resampling weights: 14 bits keep `255 × weight` sums well inside `i32`.
const ONE: i32 = 1 << 14;

/// Shrinks 8-bit pixels of `C` channels with a triangle filter as wide as the reduction (what
/// `image` calls `FilterType::Triangle`), in integers and one axis at a time. `image`'s own
/// `resize` does the same in `f32` through a four-channel buffer: 200 ms for 12 MP → 1600 px and
/// a second for 27 MP → 4096 px on the 2-core machine measured, against 50 ms and 220 ms here,
/// which is what keeps a 24–48 MP photo near the budget of a 12 MP one.
fn resample<const C: usize>(pixels: &[u8], width: u32, height: u32, to_width: u32, to_height: u32) -> Vec<u8> {
    let (width, height, to_width, to_height) = (width as usize, height as usize, to_width as usize, to_height as usize);

    let columns = taps(width, to_width);
    let mut narrow = vec![0u8; to_width * height * C];
    for (row, out) in pixels.chunks_exact(width * C).zip(narrow.chunks_exact_mut(to_width * C)) {
        for ((first, weights), out) in columns.iter().zip(out.chunks_exact_mut(C)) {
            let mut sum = [ONE / 2; C];
            for (pixel, weight) in row[first * C..].chunks_exact(C).zip(weights) {
                for (sum, &value) in sum.iter_mut().zip(pixel) {
                    *sum += i32::from(value) * weight;
                }
            }
            for (out, sum) in out.iter_mut().zip(sum) {
                *out = (sum >> 14).clamp(0, 255) as u8;
            }
        }
    }

    let stride = to_width * C;
    let mut out = vec![0u8; stride * to_height];
    let mut sums = vec![0i32; stride];
    for ((first, weights), out) in taps(height, to_height).iter().zip(out.chunks_exact_mut(stride)) {
        sums.fill(ONE / 2);
        for (row, &weight) in narrow[first * stride..].chunks_exact(stride).zip(weights) {
            for (sum, &value) in sums.iter_mut().zip(row) {
                *sum += i32::from(value) * weight;
            }
        }
        for (out, &sum) in out.iter_mut().zip(&sums) {
            *out = (sum >> 14).clamp(0, 255) as u8;
        }
    }
    out
}

/// For each output pixel along an axis of `from` pixels shrunk to `to`, the first input pixel it
/// draws on and the weights (summing to [`ONE`]) of those from there on.
fn taps(from: usize, to: usize) -> Vec<(usize, Vec<i32>)> {
    let scale = from as f64 / to as f64;
    let support = scale.max(1.0);
    (0..to)
        .map(|i| {
            let centre = (i as f64 + 0.5) * scale;
            let first = (centre - support).floor().max(0.0) as usize;
            let end = ((centre + support).ceil() as usize).min(from);
            let raw: Vec<f64> =
                (first..end).map(|j| (1.0 - ((j as f64 + 0.5 - centre) / support).abs()).max(0.0)).collect();
            let total: f64 = raw.iter().sum();
            let mut weights: Vec<i32> = raw.iter().map(|w| (w / total * f64::from(ONE)).round() as i32).collect();
            // Rounding leaves the sum off by a little; the heaviest tap takes the difference so
            // a flat colour stays exactly that colour.
            let error = ONE - weights.iter().sum::<i32>();
            if let Some(heaviest) = weights.iter_mut().max() {
                *heaviest += error;
            }
            (first, weights)
        })
        .collect()
}

/// JPEG quality per size: a thumbnail is small on screen and forgiving; the full size is what
/// someone may download and keep.
const THUMB_QUALITY: u8 = 80;
const SCREEN_QUALITY: u8 = 84;
const FULL_QUALITY: u8 = 86;

/// Encodes pixels alone: the encoder is given no EXIF, ICC or XMP, so none can be written.
fn encode(image: &DynamicImage, quality: u8) -> Result<Vec<u8>, Refusal> {
    let mut out = Vec::with_capacity((image.width() as usize * image.height() as usize) / 4);
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode(image.as_bytes(), image.width(), image.height(), image.color().into())
        .map_err(|_| Refusal::Damaged)?;
    Ok(out)
}

/// The [`Darkroom`] Tend runs: develops on tokio's blocking threads, at most `concurrent` photos
/// at a time, since each takes a core for about half a second per 12 megapixels and memory of
/// about 8 bytes a pixel (100 MB for 12 MP; up to 600 MB for a 50 MP 16-bit PNG).
#[derive(Clone, Debug)]
pub struct Lab {
    permits: Arc<Semaphore>,
    wait: Duration,
}

impl Lab {
    pub fn new(concurrent: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(concurrent.max(1))), wait: WAIT_FOR_PERMIT }
    }
}

impl Default for Lab {
    fn default() -> Self {
        Self::new(2)
    }
}

#[async_trait::async_trait]
impl Darkroom for Lab {
    async fn develop(&self, upload: Vec<u8>) -> Result<Developed, Refusal> {
        // What can be refused from a glance at the bytes is refused at once, not after a queue.
        sniff(&upload)?;
        let permit = match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            _ => return Err(Refusal::Busy),
        };
        // The permit travels with the work: if the request is abandoned, the blocking task still
        // runs to the end and keeps its place in the bound until it does.
        let developed = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            develop_bytes(&upload)
        })
        .await;
        developed.unwrap_or_else(|error| {
            tracing::error!(%error, "developing a photo panicked");
            Err(Refusal::Damaged)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::png::PngEncoder;
    use image::codecs::webp::WebPEncoder;
    use image::{GenericImageView, ImageEncoder, Rgba, RgbaImage};
    use std::time::Instant;

    const MAKE: &str = "TendTestCameraMakerCo";
    const MODEL: &str = "TendTestModel X-1000";

    fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, quality)
            .write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::Rgb8)
            .expect("encodes");
        out
    }

    fn decoded(bytes: &[u8]) -> DynamicImage {
        assert_eq!(&bytes[..2], [0xFF, 0xD8], "a JPEG");
        image::load_from_memory_with_format(bytes, ImageFormat::Jpeg).expect("our output decodes")
    }

    /// A little-endian TIFF IFD at `start`: entries of (tag, type, count, value bytes); values
    /// over four bytes go after the IFD, in order.
    fn ifd(start: u32, entries: &[(u16, u16, u32, Vec<u8>)]) -> Vec<u8> {
        let mut head = (entries.len() as u16).to_le_bytes().to_vec();
        let mut data = Vec::new();
        let data_start = start + 2 + 12 * entries.len() as u32 + 4;
        for (tag, kind, count, value) in entries {
            head.extend(tag.to_le_bytes());
            head.extend(kind.to_le_bytes());
            head.extend(count.to_le_bytes());
            if value.len() <= 4 {
                let mut inline = value.clone();
                inline.resize(4, 0);
                head.extend(inline);
            } else {
                head.extend((data_start + data.len() as u32).to_le_bytes());
                data.extend(value);
                if data.len() % 2 == 1 {
                    data.push(0);
                }
            }
        }
        head.extend(0u32.to_le_bytes());
        head.extend(data);
        head
    }

    fn ascii(text: &str) -> (u32, Vec<u8>) {
        let mut bytes = text.as_bytes().to_vec();
        bytes.push(0);
        (bytes.len() as u32, bytes)
    }

    fn rationals(values: &[(u32, u32)]) -> Vec<u8> {
        values.iter().flat_map(|(n, d)| n.to_le_bytes().into_iter().chain(d.to_le_bytes())).collect()
    }

    /// EXIF as a phone writes it: camera, orientation 6 (turn 90° clockwise to view) and where
    /// the photo was taken.
    fn exif_with_gps() -> Vec<u8> {
        const ASCII: u16 = 2;
        const SHORT: u16 = 3;
        const LONG: u16 = 4;
        const RATIONAL: u16 = 5;
        let (make_len, make) = ascii(MAKE);
        let (model_len, model) = ascii(MODEL);
        let ifd0 = |gps_at: u32| {
            ifd(
                8,
                &[
                    (0x010F, ASCII, make_len, make.clone()),
                    (0x0110, ASCII, model_len, model.clone()),
                    (0x0112, SHORT, 1, 6u16.to_le_bytes().to_vec()),
                    (0x8825, LONG, 1, gps_at.to_le_bytes().to_vec()),
                ],
            )
        };
        let gps_at = 8 + ifd0(0).len() as u32;
        let gps = ifd(
            gps_at,
            &[
                (0x0001, ASCII, 2, b"N\0".to_vec()),
                (0x0002, RATIONAL, 3, rationals(&[(52, 1), (31, 1), (1234, 100)])),
                (0x0003, ASCII, 2, b"E\0".to_vec()),
                (0x0004, RATIONAL, 3, rationals(&[(13, 1), (24, 1), (5678, 100)])),
            ],
        );
        let mut tiff = b"II*\0".to_vec();
        tiff.extend(8u32.to_le_bytes());
        tiff.extend(ifd0(gps_at));
        tiff.extend(gps);
        tiff
    }

    /// Puts an APP1 Exif segment straight after SOI, where cameras put it.
    fn with_exif(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
        let mut segment = vec![0xFF, 0xE1];
        segment.extend(((2 + 6 + tiff.len()) as u16).to_be_bytes());
        segment.extend(b"Exif\0\0");
        segment.extend(tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend(segment);
        out.extend(&jpeg[2..]);
        out
    }

    /// The markers of a JPEG's segments up to the first scan (after which only entropy-coded
    /// data and EOI follow in a baseline JPEG).
    fn markers(jpeg: &[u8]) -> Vec<u8> {
        assert_eq!(&jpeg[..2], [0xFF, 0xD8]);
        let mut markers = Vec::new();
        let mut at = 2;
        loop {
            assert_eq!(jpeg[at], 0xFF, "a marker at {at}");
            let marker = jpeg[at + 1];
            markers.push(marker);
            if marker == 0xDA {
                return markers;
            }
            let length = u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]) as usize;
            at += 2 + length;
        }
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn is_red(p: Rgb<u8>) -> bool {
        p[0] > 180 && p[1] < 80 && p[2] < 80
    }

    #[test]
    fn strips_every_piece_of_metadata_and_turns_the_photo_upright() {
        // 40×20, stored sideways: a red block in the stored top-left corner, grey elsewhere.
        let stored =
            RgbImage::from_fn(40, 20, |x, y| if x < 8 && y < 8 { Rgb([230, 20, 20]) } else { Rgb([90, 90, 90]) });
        let upload = with_exif(&jpeg(&stored, 95), &exif_with_gps());
        assert!(contains(&upload, MAKE.as_bytes()) && markers(&upload).contains(&0xE1), "the fixture carries EXIF");
        let mut probe =
            ImageReader::with_format(Cursor::new(&upload), ImageFormat::Jpeg).into_decoder().expect("decodes");
        assert_eq!(probe.orientation().expect("reads EXIF"), Orientation::Rotate90, "the fixture's EXIF is readable");

        let developed = develop_bytes(&upload).expect("develops");
        assert_eq!((developed.width, developed.height), (20, 40), "orientation 6 applied");
        for size in Size::ALL {
            let bytes = developed.bytes(size);
            let markers = markers(bytes);
            assert!(
                !markers.iter().any(|m| (0xE1..=0xEF).contains(m) || *m == 0xFE),
                "{size:?} has an APPn (n ≥ 1) or COM segment: {markers:02X?}"
            );
            for text in [MAKE, MODEL] {
                assert!(!contains(bytes, text.as_bytes()), "{size:?} carries {text:?}");
            }
            assert!(!contains(bytes, b"Exif\0"), "{size:?} carries an Exif header");
            let image = decoded(bytes).into_rgb8();
            assert_eq!(image.dimensions(), (20, 40));
            // Turned 90° clockwise, the stored top-left corner is the top-right one.
            assert!(is_red(*image.get_pixel(16, 3)), "{size:?}: top-right is {:?}", image.get_pixel(16, 3));
            for (x, y) in [(3, 3), (3, 36), (16, 36)] {
                assert!(!is_red(*image.get_pixel(x, y)), "{size:?}: ({x}, {y}) is red");
            }
        }
    }

    #[test]
    fn takes_png_with_transparency_and_lays_it_over_white() {
        // Left half opaque blue, right half fully transparent.
        let image = RgbaImage::from_fn(64, 48, |x, _| if x < 32 { Rgba([0, 0, 255, 255]) } else { Rgba([0, 0, 0, 0]) });
        let mut png = Vec::new();
        PngEncoder::new(&mut png)
            .write_image(image.as_raw(), 64, 48, image::ExtendedColorType::Rgba8)
            .expect("encodes");

        let developed = develop_bytes(&png).expect("develops");
        assert_eq!((developed.width, developed.height), (64, 48));
        let full = decoded(&developed.full).into_rgb8();
        let blue = full.get_pixel(8, 24);
        assert!(blue[2] > 200 && blue[0] < 60, "opaque stays blue: {blue:?}");
        let white = full.get_pixel(56, 24);
        assert!(white.0.iter().all(|&c| c > 240), "transparent becomes white, not black: {white:?}");
        for size in Size::ALL {
            decoded(developed.bytes(size));
        }
    }

    #[test]
    fn takes_webp() {
        let image = RgbaImage::from_fn(50, 30, |x, y| Rgba([(x * 5) as u8, (y * 8) as u8, 128, 255]));
        let mut webp = Vec::new();
        WebPEncoder::new_lossless(&mut webp)
            .encode(image.as_raw(), 50, 30, image::ExtendedColorType::Rgba8)
            .expect("encodes");
        assert_eq!(&webp[8..12], b"WEBP");

        let developed = develop_bytes(&webp).expect("develops");
        assert_eq!((developed.width, developed.height), (50, 30));
        for size in Size::ALL {
            assert_eq!(decoded(developed.bytes(size)).dimensions(), (50, 30));
        }
    }

    /// A genuine decompression bomb: a PNG of 10000×10000 black pixels (100 MB decoded) that is
    /// well under a megabyte, as a zlib stream of "repeat the last byte 258 times".
    fn png_bomb(side: u32) -> Vec<u8> {
        struct Bits {
            out: Vec<u8>,
            acc: u64,
            n: u32,
        }
        impl Bits {
            fn lsb_first(&mut self, value: u32, n: u32) {
                self.acc |= u64::from(value) << self.n;
                self.n += n;
                while self.n >= 8 {
                    self.out.push(self.acc as u8);
                    self.acc >>= 8;
                    self.n -= 8;
                }
            }
            /// Huffman codes go most significant bit first.
            fn code(&mut self, code: u32, n: u32) {
                let reversed = code.reverse_bits() >> (32 - n);
                self.lsb_first(reversed, n);
            }
        }
        fn crc32(bytes: &[u8]) -> u32 {
            let mut crc = !0u32;
            for &byte in bytes {
                crc ^= u32::from(byte);
                for _ in 0..8 {
                    crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
                }
            }
            !crc
        }
        fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
            png.extend((data.len() as u32).to_be_bytes());
            let mut body = kind.to_vec();
            body.extend(data);
            png.extend(crc32(&body).to_be_bytes());
            let crc = png.split_off(png.len() - 4);
            png.extend(&body);
            png.extend(crc);
        }

        // Every row is a filter byte (0) and `side` grey zeros.
        let total = u64::from(side) * (u64::from(side) + 1);
        let mut bits = Bits { out: vec![0x78, 0x01], acc: 0, n: 0 };
        bits.lsb_first(1, 1); // the final block
        bits.lsb_first(1, 2); // fixed Huffman codes
        bits.code(0x30, 8); // literal 0
        let mut left = total - 1;
        while left >= 258 {
            bits.code(0xC5, 8); // length 258 (code 285)
            bits.code(0, 5); // distance 1
            left -= 258;
        }
        for _ in 0..left {
            bits.code(0x30, 8);
        }
        bits.code(0, 7); // end of block
        bits.lsb_first(0, 7);
        let mut zlib = bits.out;
        let adler = ((total % 65_521) << 16 | 1) as u32;
        zlib.extend(adler.to_be_bytes());

        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = side.to_be_bytes().to_vec();
        ihdr.extend(side.to_be_bytes());
        ihdr.extend([8, 0, 0, 0, 0]); // 8-bit greyscale, not interlaced
        chunk(&mut png, b"IHDR", &ihdr);
        chunk(&mut png, b"IDAT", &zlib);
        chunk(&mut png, b"IEND", &[]);
        png
    }

    #[test]
    fn refuses_a_decompression_bomb_from_its_header() {
        // The bomb's construction is checked on a size small enough to decode.
        let small = png_bomb(300);
        let decoded = image::load_from_memory_with_format(&small, ImageFormat::Png).expect("a valid PNG");
        assert_eq!(decoded.dimensions(), (300, 300));
        assert!(decoded.as_bytes().iter().all(|&b| b == 0));

        let bomb = png_bomb(10_000);
        assert!(bomb.len() < 1_000_000, "the bomb is small: {} bytes", bomb.len());
        let started = Instant::now();
        assert_eq!(develop_bytes(&bomb).err(), Some(Refusal::TooManyPixels));
        let took = started.elapsed();
        // Decoding 100 MB of pixels takes seconds unoptimised; reading a header, microseconds.
        assert!(took < Duration::from_millis(250), "refused by decoding? took {took:?}");
    }

    #[test]
    fn refuses_what_is_not_a_photo_it_can_read() {
        let mut heic = Vec::new();
        heic.extend(24u32.to_be_bytes());
        heic.extend(b"ftypheic");
        heic.extend(0u32.to_be_bytes());
        heic.extend(b"mif1heic");
        heic.extend([0u8; 64]);
        assert_eq!(develop_bytes(&heic).err(), Some(Refusal::Heic));

        let mut avif = Vec::new();
        avif.extend(28u32.to_be_bytes());
        avif.extend(b"ftypavif");
        avif.extend(0u32.to_be_bytes());
        avif.extend(b"avifmif1miaf");
        avif.extend([0u8; 64]);
        assert_eq!(develop_bytes(&avif).err(), Some(Refusal::Heic));

        let mut mp4 = Vec::new();
        mp4.extend(24u32.to_be_bytes());
        mp4.extend(b"ftypisom");
        mp4.extend(0u32.to_be_bytes());
        mp4.extend(b"isomavc1");
        assert_eq!(develop_bytes(&mp4).err(), Some(Refusal::NotAPhoto));

        assert_eq!(develop_bytes(b"Dear diary, today we went to the sea.").err(), Some(Refusal::NotAPhoto));
        assert_eq!(develop_bytes(b"").err(), Some(Refusal::NotAPhoto));
        // A GIF is a real image, but not one Tend takes.
        assert_eq!(develop_bytes(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").err(), Some(Refusal::NotAPhoto));

        let mut too_large = jpeg(&RgbImage::new(8, 8), 80);
        too_large.resize(MAX_UPLOAD_BYTES + 1, 0);
        assert_eq!(develop_bytes(&too_large).err(), Some(Refusal::TooLarge));
    }

    #[test]
    fn refuses_a_truncated_photo_as_damaged() {
        let noise = RgbImage::from_fn(128, 96, |x, y| {
            let v = x.wrapping_mul(2_654_435_761).wrapping_add(y.wrapping_mul(40_503)) >> 7;
            Rgb([v as u8, (v >> 8) as u8, (v >> 16) as u8])
        });
        let whole = jpeg(&noise, 90);
        develop_bytes(&whole).expect("the whole photo develops");
        let mut motion_photo = whole.clone();
        motion_photo.extend(b"\0\0\0\x18ftypmp42 and a video after the photo");
        develop_bytes(&motion_photo).expect("what follows the end of the photo is not looked at");
        for cut in [whole.len() - 2, whole.len() / 2, 200, 40] {
            assert_eq!(develop_bytes(&whole[..cut]).err(), Some(Refusal::Damaged), "cut at {cut} of {}", whole.len());
        }
        // An EXIF thumbnail's own end-of-image marker does not make a cut-off photo whole.
        let mut exif = exif_with_gps();
        exif.extend([0xFF, 0xD8, 0xFF, 0xD9]);
        let with_thumbnail = with_exif(&whole, &exif);
        develop_bytes(&with_thumbnail).expect("the whole photo develops");
        assert_eq!(develop_bytes(&with_thumbnail[..with_thumbnail.len() / 2]).err(), Some(Refusal::Damaged));

        let mut png = Vec::new();
        PngEncoder::new(&mut png)
            .write_image(noise.as_raw(), 128, 96, image::ExtendedColorType::Rgb8)
            .expect("encodes");
        assert_eq!(develop_bytes(&png[..png.len() / 2]).err(), Some(Refusal::Damaged));
        let mut webp = Vec::new();
        WebPEncoder::new_lossless(&mut webp)
            .encode(noise.as_raw(), 128, 96, image::ExtendedColorType::Rgb8)
            .expect("encodes");
        assert_eq!(develop_bytes(&webp[..webp.len() / 2]).err(), Some(Refusal::Damaged));
    }

    #[test]
    fn never_enlarges_and_keeps_the_long_edge_within_each_size() {
        let small = develop_bytes(&jpeg(&RgbImage::from_pixel(300, 200, Rgb([10, 200, 30])), 90)).expect("develops");
        assert_eq!((small.width, small.height), (300, 200));
        for size in Size::ALL {
            assert_eq!(decoded(small.bytes(size)).dimensions(), (300, 200), "{size:?}");
        }

        let tall = develop_bytes(&jpeg(&RgbImage::from_pixel(1000, 2000, Rgb([10, 200, 30])), 80)).expect("develops");
        assert_eq!((tall.width, tall.height), (1000, 2000));
        assert_eq!(decoded(&tall.full).dimensions(), (1000, 2000));
        assert_eq!(decoded(&tall.screen).dimensions(), (800, 1600));
        assert_eq!(decoded(&tall.thumb).dimensions(), (200, 400));
    }

    #[test]
    fn shrinks_as_images_own_triangle_filter_does() {
        let noise = RgbImage::from_fn(997, 611, |x, y| {
            let v = x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503).rotate_left(11);
            Rgb([(v >> 3) as u8, (x / 4) as u8, (y / 3) as u8])
        });
        let ours = shrink(&noise.clone().into(), 400).expect("shrinks").into_rgb8();
        assert_eq!(ours.dimensions(), (400, 245));
        let theirs = DynamicImage::from(noise).resize_exact(400, 245, FilterType::Triangle).into_rgb8();
        let worst = ours.as_raw().iter().zip(theirs.as_raw()).map(|(a, b)| a.abs_diff(*b)).max();
        assert!(worst.is_some_and(|worst| worst <= 2), "differs from image's filter by up to {worst:?}");

        let flat = shrink(&RgbImage::from_pixel(333, 222, Rgb([17, 200, 99])).into(), 100).expect("shrinks");
        assert_eq!(flat.dimensions(), (100, 67));
        assert!(flat.into_rgb8().pixels().all(|p| p.0 == [17, 200, 99]), "a flat colour stays exactly that");
        assert!(shrink(&RgbImage::new(100, 40).into(), 100).is_none(), "nothing fitting is touched");
    }

    #[test]
    fn keeps_grey_photos_grey() {
        let grey = GrayImage::from_fn(30, 20, |x, _| image::Luma([(x * 8) as u8]));
        let mut png = Vec::new();
        PngEncoder::new(&mut png).write_image(grey.as_raw(), 30, 20, image::ExtendedColorType::L8).expect("encodes");
        let developed = develop_bytes(&png).expect("develops");
        assert_eq!(decoded(&developed.thumb).color(), image::ColorType::L8);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lab_develops_many_at_once_one_at_a_time() {
        let lab = Lab::new(1);
        let photo = jpeg(&RgbImage::from_fn(900, 600, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 77])), 85);
        let developing: Vec<_> = (0..4)
            .map(|_| {
                let (lab, photo) = (lab.clone(), photo.clone());
                tokio::spawn(async move { lab.develop(photo).await })
            })
            .collect();
        for handle in developing {
            let developed = handle.await.expect("joins").expect("develops");
            assert_eq!((developed.width, developed.height), (900, 600));
        }
        assert_eq!(lab.permits.available_permits(), 1, "every permit is returned");
        assert_eq!(lab.develop(b"not a photo".to_vec()).await, Err(Refusal::NotAPhoto));
    }

    #[tokio::test]
    async fn lab_says_busy_when_no_darkroom_frees_up() {
        let lab = Lab { wait: Duration::from_millis(50), ..Lab::new(1) };
        let held = lab.permits.clone().acquire_owned().await.expect("a permit");
        let photo = jpeg(&RgbImage::new(16, 16), 80);
        assert_eq!(lab.develop(photo.clone()).await, Err(Refusal::Busy));
        drop(held);
        assert!(lab.develop(photo).await.is_ok());
    }
}
