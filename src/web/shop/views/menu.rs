//! The product list of a menu: rendered once per menu snapshot for every visitor (see
//! `pizzerias`), with each product's availability, allergens and photo.

use crate::domain::catalog::ProductKind;
use crate::domain::photo;
use crate::domain::stock::Availability;
use crate::live::menu_cache::MenuSnapshot;
use rocket::serde::Serialize;

#[derive(Serialize)]
pub struct AvailabilityView {
    state: &'static str,
    label: String,
    orderable: bool,
}

pub fn availability_view(a: Availability) -> AvailabilityView {
    let state = match a {
        Availability::Available => "available",
        Availability::Few(_) => "few",
        Availability::SoldOut => "soldout",
    };
    AvailabilityView {
        state,
        label: a.to_string(),
        orderable: a.orderable(),
    }
}

#[derive(Serialize)]
pub struct ProductView {
    id: i64,
    name: String,
    description: String,
    price: String,
    availability: AvailabilityView,
    /// "gluten, lait", and each allergen's full name.
    allergens: String,
    allergens_full: Vec<&'static str>,
    photo: Option<PhotoView>,
}

/// A product's photo on the menu: its sizes for the browser to choose from, the intrinsic
/// size reserving its place (no layout shift), loaded lazily below the first products.
#[derive(Serialize)]
pub struct PhotoView {
    src: String,
    srcset: String,
    width: u32,
    height: u32,
    lazy: bool,
}

/// The first photos of a menu are on a phone's first screen: loaded at once.
const EAGER: usize = 2;

fn photo_view(key: &str, shown_before: usize) -> PhotoView {
    let smallest = photo::WIDTHS[0];
    PhotoView {
        src: photo::url(key, smallest),
        srcset: photo::WIDTHS
            .iter()
            .map(|w| format!("{} {w}w", photo::url(key, *w)))
            .collect::<Vec<_>>()
            .join(", "),
        width: smallest,
        height: photo::height_of(smallest),
        lazy: shown_before >= EAGER,
    }
}

#[derive(Serialize)]
pub struct SectionView {
    title: &'static str,
    products: Vec<ProductView>,
}

pub fn sections(menu: &MenuSnapshot, few: i64) -> Vec<SectionView> {
    let (counts, allergens) = (&menu.counts, &menu.allergens);
    let mut out: Vec<SectionView> = ProductKind::ALL
        .iter()
        .map(|kind| SectionView {
            title: kind.label(),
            products: Vec::new(),
        })
        .collect();
    let mut photos = 0;
    for p in menu.products.iter().cloned() {
        let count = counts.get(&p.id).copied().unwrap_or(0);
        let list = allergens.get(&p.id).map(Vec::as_slice).unwrap_or_default();
        let photo = p.photo.as_deref().map(|key| photo_view(key, photos));
        photos += usize::from(photo.is_some());
        out[usize::from(p.kind.rank())].products.push(ProductView {
            allergens: list
                .iter()
                .map(|a| a.short())
                .collect::<Vec<_>>()
                .join(", "),
            allergens_full: list.iter().map(|a| a.label()).collect(),
            id: p.id.0,
            availability: availability_view(Availability::from_count(count, few)),
            price: p.price.to_string(),
            name: p.name,
            description: p.description,
            photo,
        });
    }
    out.retain(|s| !s.products.is_empty());
    out
}
