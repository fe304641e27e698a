//! A photo for each demo pizza, drawn from its recipe (crust, its base, its toppings' colours)
//! and put through the same path as an upload: sent as PNG bytes to `photos::store`, then named
//! on the product. Drinks and desserts keep none, as a product without a photo looks too.

use super::data::PIZZAS;
use super::{DemoError, Dice};
use crate::db::DbConn;
use crate::models::catalog_admin;
use crate::services::photos;
use image::{ImageEncoder, Rgb, RgbImage};
use std::path::Path;

const WIDTH: u32 = 640;
const HEIGHT: u32 = 480;

/// The colour and size of a topping on the drawing.
fn topping(ingredient: &str) -> Option<([u8; 3], u32, u32)> {
    let (colour, radius, count) = match ingredient {
        "Basilic frais" => ([40, 120, 40], 14, 6),
        "Jambon blanc" => ([232, 150, 150], 20, 9),
        "Champignons de Paris" => ([205, 185, 155], 15, 10),
        "Origan séché" => ([95, 105, 45], 3, 60),
        "Gorgonzola" => ([215, 225, 200], 16, 8),
        "Fromage de chèvre" => ([250, 250, 244], 22, 7),
        "Parmigiano Reggiano" => ([240, 220, 150], 6, 30),
        "Salami piquant" => ([165, 35, 40], 24, 10),
        "Poivrons grillés" => ([205, 60, 40], 12, 12),
        "Filets d'anchois" => ([120, 85, 65], 9, 6),
        "Câpres" => ([100, 120, 50], 5, 18),
        "Olives noires" => ([30, 28, 30], 8, 14),
        "Miel de lavande" => ([232, 172, 40], 6, 20),
        "Roquette" => ([60, 135, 45], 11, 16),
        "Oignons rouges" => ([150, 60, 110], 10, 12),
        "Artichauts marinés" => ([150, 160, 90], 16, 7),
        "Jambon cru de Parme" => ([205, 95, 95], 24, 8),
        "Mozzarella di bufala" => ([252, 250, 240], 28, 7),
        "Ananas" => ([250, 220, 80], 13, 12),
        "Thon" => ([190, 160, 130], 13, 14),
        "Lardons fumés" => ([200, 120, 90], 8, 22),
        "Œuf" => ([255, 200, 40], 38, 1),
        "Tomates cerises" => ([210, 40, 30], 14, 12),
        _ => return None,
    };
    Some((colour, radius, count))
}

/// Where the toppings fall: the same pizza is drawn the same way at every start.
struct Spots(Dice);

impl Spots {
    fn next(&mut self, below: u32) -> u32 {
        self.0.roll(u64::from(below)) as u32
    }

    /// A point at most `within` pixels from the centre.
    fn point(&mut self, within: u32) -> (i64, i64) {
        loop {
            let (x, y) = (
                i64::from(self.next(2 * within)) - i64::from(within),
                i64::from(self.next(2 * within)) - i64::from(within),
            );
            if x * x + y * y <= i64::from(within).pow(2) {
                return (i64::from(WIDTH / 2) + x, i64::from(HEIGHT / 2) + y);
            }
        }
    }
}

fn disc(picture: &mut RgbImage, (cx, cy): (i64, i64), radius: u32, colour: [u8; 3]) {
    let r = i64::from(radius);
    for y in (cy - r).max(0)..(cy + r).min(i64::from(HEIGHT)) {
        for x in (cx - r).max(0)..(cx + r).min(i64::from(WIDTH)) {
            if (x - cx).pow(2) + (y - cy).pow(2) <= r * r {
                picture.put_pixel(x as u32, y as u32, Rgb(colour));
            }
        }
    }
}

/// A pizza seen from above on a wooden board, as PNG bytes.
fn draw(name: &str, lines: &[(&str, i64)]) -> Vec<u8> {
    let seed = name
        .bytes()
        .fold(7, |h: u64, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let mut dice = Spots(Dice(seed));
    let mut picture = RgbImage::from_fn(WIDTH, HEIGHT, |_, y| {
        let grain = if (y / 12) % 2 == 0 { 0 } else { 10 };
        Rgb([150 - grain, 105 - grain, 70 - grain])
    });
    let centre = (i64::from(WIDTH / 2), i64::from(HEIGHT / 2));
    disc(&mut picture, centre, 220, [215, 160, 90]);
    let cream = lines.iter().any(|(i, _)| i.starts_with("Crème"));
    let base = if cream {
        [240, 228, 200]
    } else {
        [185, 45, 30]
    };
    disc(&mut picture, centre, 196, base);
    for _ in 0..14 {
        let at = dice.point(170);
        disc(&mut picture, at, 24, [250, 245, 225]);
    }
    for (ingredient, _) in lines {
        let Some((colour, radius, count)) = topping(ingredient) else {
            continue;
        };
        for _ in 0..count {
            let at = if count == 1 { centre } else { dice.point(175) };
            disc(&mut picture, at, radius, colour);
        }
    }
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(
            picture.as_raw(),
            WIDTH,
            HEIGHT,
            image::ExtendedColorType::Rgb8,
        )
        .expect("a drawn picture encodes");
    png
}

/// Draws, stores and names a photo for every demo pizza; gives how many.
pub fn add_photos(conn: &mut DbConn, media_dir: &Path) -> Result<usize, DemoError> {
    let products = catalog_admin::products(conn)?;
    let mut added = 0;
    for (name, _, _, lines, _) in PIZZAS {
        let Some(product) = products.iter().find(|p| p.name == name) else {
            continue;
        };
        let key = photos::store(media_dir, &draw(name, lines))
            .map_err(|e| DemoError::Photos(e.to_string()))?;
        photos::attach(conn, product.id, Some(&key))
            .map_err(|e| DemoError::Photos(e.to_string()))?;
        added += 1;
    }
    Ok(added)
}
