//! The product list of a menu: rendered once per menu snapshot for every visitor (see
//! `menu_page`), with each product's availability, allergens and photo; what the menu page
//! and its live stream both show (the pizzeria, its "Ajouter" buttons, the availability
//! version).

use crate::domain::catalog::ProductKind;
use crate::domain::checkout::OrderWindow;
use crate::domain::hours::{self, Slot};
use crate::domain::ids::ProductId;
use crate::domain::photo;
use crate::domain::stock::Availability;
use crate::live::menu_cache::MenuSnapshot;
use crate::models::menu::Counts;
use crate::models::pizzeria::Pizzeria;
use crate::web::error::AppError;
use chrono::Utc;
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

/// Stand for the visitor's own parts in a menu page rendered once for everybody: the CSRF token,
/// the header's part about the visitor, the cart summary (the order of `MenuPage::html`'s gaps).
pub const CSRF_PLACEHOLDER: &str = "__CSRF_TOKEN__";
#[derive(Serialize)]
pub struct PizzeriaView {
    id: i64,
    name: String,
    street: String,
    postal_code: String,
    city: String,
    phone: String,
    open_now: bool,
    hours: Vec<DayView>,
}

#[derive(Serialize)]
pub struct DayView {
    day: &'static str,
    text: String,
    today: bool,
}

pub fn pizzeria_view(p: Pizzeria, slots: &[Slot]) -> PizzeriaView {
    let local = hours::paris(Utc::now());
    let today = hours::WEEKDAYS[chrono::Datelike::weekday(&local).num_days_from_monday() as usize];
    PizzeriaView {
        id: p.id.0,
        open_now: hours::is_open(slots, local),
        hours: hours::weekly_summary(slots)
            .into_iter()
            .map(|(day, text)| DayView {
                day,
                text,
                today: day == today,
            })
            .collect(),
        name: p.name,
        street: p.street,
        postal_code: p.postal_code,
        city: p.city,
        phone: p.phone,
    }
}

/// What the "Ajouter" buttons of a menu say, from when the pizzeria takes orders.
#[derive(Serialize, Clone)]
pub struct OrderView {
    /// "open", "later" or "closed".
    pub state: &'static str,
    pub button: String,
    pub note: Option<String>,
}

pub fn order_view(slots: &[Slot]) -> OrderView {
    match OrderWindow::at(slots, Utc::now()) {
        OrderWindow::Open => OrderView {
            state: "open",
            button: "Ajouter".into(),
            note: None,
        },
        OrderWindow::LaterToday(from) => OrderView {
            state: "later",
            button: "Ajouter".into(),
            note: Some(format!("commandez pour plus tard, à partir de {from}")),
        },
        OrderWindow::Closed(when) => OrderView {
            state: "closed",
            button: when
                .as_ref()
                .map_or_else(|| "Fermée".to_string(), |w| format!("Ouvre {w}")),
            note: when.map(|w| format!("ouvre {w}")),
        },
    }
}

/// What a menu page shows of availability, as a short text that any process computes the same
/// way. Its stream compares it with the database: equal means the page is up to date (whatever
/// order concurrent ledger rows committed in).
pub fn availability_version<'a>(
    products: impl Iterator<Item = &'a ProductId>,
    counts: &Counts,
    few: i64,
) -> String {
    use sha2::{Digest, Sha256};
    let mut ids: Vec<ProductId> = products.copied().collect();
    ids.sort();
    let mut hash = Sha256::new();
    for id in ids {
        let a = Availability::from_count(counts.get(&id).copied().unwrap_or(0), few);
        hash.update(format!("{id}:{a:?};"));
    }
    hash.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn not_found_pizzeria() -> AppError {
    AppError::NotFound("Cette pizzeria n'existe pas. Choisissez-en une dans la liste.".into())
}
