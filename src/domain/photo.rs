//! Product photos. An upload is taken for what its bytes are (JPEG, PNG or WebP, whatever its
//! name or declared type says), turned upright by its EXIF orientation, laid on white where it
//! is transparent, cropped to the menu's 4:3 from its centre and written at each width the menu
//! asks for, as JPEG. The files are named after the upload's content: a name never changes
//! meaning, so browsers may keep them for a year.

use image::imageops::FilterType;
use image::{
    DynamicImage, ImageDecoder, ImageEncoder, ImageError, ImageFormat, ImageReader, Limits,
    RgbImage,
};
use std::io::Cursor;

/// The largest upload taken, in bytes (a phone's photo is 2 to 5 MB).
pub const MAX_BYTES: usize = 8 * 1024 * 1024;
/// The smallest photo taken: the largest width made, at 4:3.
pub const MIN_WIDTH: u32 = 480;
pub const MIN_HEIGHT: u32 = 360;
/// The longest side decoded; beyond, the upload is refused before its pixels are allocated.
const MAX_SIDE: u32 = 8_000;
/// The widths made, at 4:3: the menu's thumbnail at 1× to 3× screens.
pub const WIDTHS: [u32; 2] = [240, 480];
const JPEG_QUALITY: u8 = 80;
/// Part of every name: a change of how the sizes are made gives new names.
const RECIPE: &str = "photo-v1";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("Choisissez une photo à envoyer.")]
    Missing,
    #[error("La photo dépasse 8 Mo : réduisez-la avant de l'envoyer.")]
    TooLarge,
    #[error("Ce fichier n'est pas une image JPEG, PNG ou WebP.")]
    NotAnImage,
    #[error("Cette image est illisible ou incomplète : enregistrez-la de nouveau et réessayez.")]
    Unreadable,
    #[error("La photo doit mesurer au moins 480 × 360 pixels (celle-ci : {0} × {1}).")]
    TooSmall(u32, u32),
    #[error("La photo dépasse 8 000 pixels de côté : réduisez-la avant de l'envoyer.")]
    TooManyPixels,
}

/// The sizes made from one upload: `key` names them all (see `file_name`).
#[derive(Debug)]
pub struct Photo {
    pub key: String,
    /// (file name, JPEG bytes), one per width of `WIDTHS`.
    pub files: Vec<(String, Vec<u8>)>,
}

/// `<key>-<width>.jpg`.
pub fn file_name(key: &str, width: u32) -> String {
    format!("{key}-{width}.jpg")
}

/// The folder of the products' photos, under the media folder.
pub const FOLDER: &str = "products";

/// Where a size is served: `/media/products/<key>-<width>.jpg`.
pub fn url(key: &str, width: u32) -> String {
    format!("/media/{FOLDER}/{}", file_name(key, width))
}

/// The height of a width, at 4:3.
pub fn height_of(width: u32) -> u32 {
    width * 3 / 4
}

/// Whether a stored key is one `prepare` makes (32 lowercase hex digits).
pub fn is_key(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn key_of(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(RECIPE);
    hash.update(bytes);
    hash.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn refusal(e: ImageError) -> PhotoError {
    match e {
        ImageError::Limits(_) => PhotoError::TooManyPixels,
        _ => PhotoError::Unreadable,
    }
}

/// The upright picture of an upload, checked by content.
fn decode(bytes: &[u8]) -> Result<DynamicImage, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Missing);
    }
    if bytes.len() > MAX_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let format = image::guess_format(bytes).map_err(|_| PhotoError::NotAnImage)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(PhotoError::NotAnImage);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    picture.apply_orientation(orientation);
    Ok(picture)
}

/// Transparent parts laid on white (JPEG has no transparency).
fn on_white(picture: DynamicImage) -> DynamicImage {
    if !picture.color().has_alpha() {
        return DynamicImage::ImageRgb8(picture.into_rgb8());
    }
    let rgba = picture.into_rgba8();
    let blend = |c: u8, a: u8| {
        let (c, a) = (u32::from(c), u32::from(a));
        ((c * a + 255 * (255 - a)) / 255) as u8
    };
    let mut out = Vec::with_capacity(rgba.as_raw().len() / 4 * 3);
    for px in rgba.as_raw().chunks_exact(4) {
        out.extend([
            blend(px[0], px[3]),
            blend(px[1], px[3]),
            blend(px[2], px[3]),
        ]);
    }
    RgbImage::from_raw(rgba.width(), rgba.height(), out)
        .map_or(DynamicImage::new_rgb8(1, 1), DynamicImage::ImageRgb8)
}

/// The largest 4:3 part of the picture, from its centre.
fn crop_4_3(picture: &DynamicImage) -> DynamicImage {
    let (w, h) = (picture.width(), picture.height());
    let (cw, ch) = if u64::from(w) * 3 > u64::from(h) * 4 {
        (h * 4 / 3, h)
    } else {
        (w, w * 3 / 4)
    };
    picture.crop_imm((w - cw) / 2, (h - ch) / 2, cw, ch)
}

fn jpeg(picture: &DynamicImage) -> Result<Vec<u8>, PhotoError> {
    let rgb = picture.to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .write_image(
            rgb.as_raw(),
            rgb.width(),
            rgb.height(),
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|_| PhotoError::Unreadable)?;
    Ok(out)
}

/// Checks an upload and makes its sizes, largest first.
pub fn prepare(bytes: &[u8]) -> Result<Photo, PhotoError> {
    let picture = decode(bytes)?;
    let (w, h) = (picture.width(), picture.height());
    if w < MIN_WIDTH || h < MIN_HEIGHT {
        return Err(PhotoError::TooSmall(w, h));
    }
    let key = key_of(bytes);
    let mut files = Vec::with_capacity(WIDTHS.len());
    let mut source = crop_4_3(&on_white(picture));
    for width in WIDTHS.iter().rev() {
        let sized = source.resize_exact(*width, height_of(*width), FilterType::Lanczos3);
        files.push((file_name(&key, *width), jpeg(&sized)?));
        source = sized;
    }
    Ok(Photo { key, files })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgba, RgbaImage};

    fn png(w: u32, h: u32, alpha: u8) -> Vec<u8> {
        let picture = RgbaImage::from_pixel(w, h, Rgba([200, 40, 30, alpha]));
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(picture.as_raw(), w, h, image::ExtendedColorType::Rgba8)
            .unwrap();
        out
    }

    fn decoded(jpeg: &[u8]) -> RgbImage {
        image::load_from_memory_with_format(jpeg, ImageFormat::Jpeg)
            .unwrap()
            .into_rgb8()
    }

    #[test]
    fn every_width_is_made_at_4_3_whatever_the_shape() {
        let photo = prepare(&png(1000, 400, 255)).unwrap();
        assert!(is_key(&photo.key), "{}", photo.key);
        let names: Vec<&str> = photo.files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [file_name(&photo.key, 480), file_name(&photo.key, 240)]
        );
        for ((_, bytes), width) in photo.files.iter().zip([480, 240]) {
            assert_eq!(decoded(bytes).dimensions(), (width, height_of(width)));
        }
    }

    #[test]
    fn the_same_upload_gets_the_same_name_and_another_one_another() {
        let a = prepare(&png(640, 480, 255)).unwrap().key;
        assert_eq!(a, prepare(&png(640, 480, 255)).unwrap().key);
        assert_ne!(a, prepare(&png(641, 480, 255)).unwrap().key);
    }

    #[test]
    fn transparency_is_laid_on_white() {
        let photo = prepare(&png(480, 360, 0)).unwrap();
        let px = decoded(&photo.files[0].1).get_pixel(100, 100).0;
        assert!(px.iter().all(|c| *c > 245), "{px:?}");
    }

    #[test]
    fn content_decides_not_the_name() {
        assert_eq!(
            prepare(b"GIF89a not a photo").unwrap_err(),
            PhotoError::NotAnImage
        );
        assert_eq!(
            prepare(b"hello, I am text").unwrap_err(),
            PhotoError::NotAnImage
        );
        assert_eq!(prepare(b"").unwrap_err(), PhotoError::Missing);
    }

    #[test]
    fn truncated_small_and_oversized_uploads_are_refused() {
        let whole = png(640, 480, 255);
        assert_eq!(
            prepare(&whole[..whole.len() / 2]).unwrap_err(),
            PhotoError::Unreadable
        );
        assert_eq!(
            prepare(&png(300, 200, 255)).unwrap_err(),
            PhotoError::TooSmall(300, 200)
        );
        let mut huge = whole.clone();
        huge.resize(MAX_BYTES + 1, 0);
        assert_eq!(prepare(&huge).unwrap_err(), PhotoError::TooLarge);
        assert_eq!(
            prepare(&png(MAX_SIDE + 1, 1, 255)).unwrap_err(),
            PhotoError::TooManyPixels
        );
    }
}
