//! The direction's products: every product with its category, price, state and allergens; a
//! new product or a product changed with its recipe (ingredient lines in the ingredient's
//! unit, kg and l accepted, and its steps in the order their numbers give); its photo, sent
//! as a file and shown on every menu in the sizes made from it.

use super::views::{attach, pad, read_form, typed_of, Typed};
use crate::domain::catalog::ProductKind;
use crate::domain::ids::{InvalidId, ProductId};
use crate::domain::photo::{self, PhotoError};
use crate::models::catalog_admin::{self, ProductEntry, Recipe};
use crate::services::catalog::{self, CatalogError};
use crate::services::photos::{self, StoreError};
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::form::{FieldErrors, Posted, RawForm};
use crate::web::guards::{Csrf, GroupAdmin, Visitor};
use crate::web::layout::{Layout, Reply};
use crate::web::upload::{FileRefusal, PostedFile};
use rocket::response::Redirect;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::{context, Template};
use serde::Serialize;

pub fn routes() -> Vec<Route> {
    routes![
        show_products,
        new_product,
        create_product,
        show_product,
        save_product,
        upload_photo,
        remove_photo
    ]
}

const UNITS: [&str; 6] = ["g", "kg", "ml", "cl", "l", "piece"];

#[derive(Serialize)]
struct ListRow {
    id: i64,
    name: String,
    kind: &'static str,
    price: String,
    active: bool,
    allergens: String,
    /// The thumbnail's URL, if the product has a photo.
    thumbnail: Option<String>,
}

#[get("/products?<done>")]
async fn show_products(
    done: Option<&str>,
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let (all, allergens, mut pictures) = state
        .db
        .run(|c| {
            Ok::<_, diesel::result::Error>((
                catalog_admin::products(c)?,
                catalog_admin::product_allergens(c)?,
                catalog_admin::photos(c)?,
            ))
        })
        .await??;
    let rows: Vec<ListRow> = all
        .into_iter()
        .map(|p| ListRow {
            allergens: allergens.get(&p.id).map_or_else(String::new, |list| {
                list.iter()
                    .map(|a| a.short())
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
            thumbnail: pictures.remove(&p.id).map(|key| photo::url(&key, 240)),
            id: p.id.0,
            kind: p.kind.label(),
            price: p.price.to_string(),
            active: p.active,
            name: p.name,
        })
        .collect();
    let notice = match done {
        Some("created") => Some("Produit ajouté à la carte de chaque pizzeria."),
        Some("saved") => Some(
            "Produit enregistré. Les commandes déjà passées gardent leur prix et leur recette.",
        ),
        _ => None,
    };
    let ctx = context! { layout: Layout::new(&visitor, &csrf), rows, notice };
    Ok(Template::render("admin/products", ctx))
}

async fn form_page(
    state: &AppState,
    visitor: &Visitor,
    csrf: &Csrf,
    product: Option<i64>,
    typed: &Typed,
    errors: &FieldErrors,
    notice: Option<&str>,
) -> AppResult<Template> {
    let (known, photo) = state
        .db
        .run(move |c| {
            let photo = match product {
                Some(id) => catalog_admin::photo_of(c, ProductId(id))?.flatten(),
                None => None,
            };
            Ok::<_, diesel::result::Error>((catalog_admin::ingredients(c)?, photo))
        })
        .await??;
    let photo = photo.map(|key| (photo::url(&key, 480), photo::url(&key, 240)));
    let ingredients: Vec<(String, String, &'static str)> = known
        .iter()
        .map(|i| (i.id.0.to_string(), i.name.clone(), i.unit.label()))
        .collect();
    let kinds: Vec<(&str, &str)> = ProductKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect();
    let ctx = context! {
        layout: Layout::new(visitor, csrf),
        product,
        t: typed,
        ingredients,
        kinds,
        units: UNITS,
        errors,
        photo,
        notice,
    };
    Ok(Template::render("admin/product", ctx))
}

#[get("/products/new")]
async fn new_product(
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let mut typed = Typed {
        kind: "pizza".into(),
        active: true,
        ..Typed::default()
    };
    pad(&mut typed);
    form_page(
        state,
        &visitor,
        &csrf,
        None,
        &typed,
        &FieldErrors::default(),
        None,
    )
    .await
}

fn refusal(e: CatalogError, errors: &mut FieldErrors) -> AppResult<()> {
    match e {
        CatalogError::DuplicateProduct | CatalogError::DuplicateName => {
            errors.add("name", CatalogError::DuplicateProduct.to_string())
        }
        CatalogError::UnknownIngredient => errors.add("lines", e.to_string()),
        CatalogError::Db(e) => return Err(e.into()),
        e => return Err(AppError::NotFound(e.to_string())),
    }
    Ok(())
}

/// Saves a new product (`id` None) or a product changed, or shows the form again (422).
async fn save(
    state: &AppState,
    visitor: &Visitor,
    csrf: &Csrf,
    id: Option<ProductId>,
    form: RawForm,
) -> AppResult<Reply> {
    let known = state.db.run(catalog_admin::ingredients).await??;
    let mut errors = FieldErrors::default();
    let (mut typed, product) = read_form(form, &known, &mut errors);
    if let Some(p) = product {
        let saved = state
            .db
            .run(move |c| match id {
                None => catalog::create_product(c, &p).map(|_| "created"),
                Some(id) => catalog::update_product(c, id, &p).map(|()| "saved"),
            })
            .await?;
        match saved {
            Ok(done) => {
                state.hub.menus.forget_all();
                return Ok(Reply::Redirect(Redirect::to(format!(
                    "/admin/products?done={done}"
                ))));
            }
            Err(e) => refusal(e, &mut errors)?,
        }
    }
    attach(&mut typed, &errors);
    pad(&mut typed);
    let page = form_page(state, visitor, csrf, id.map(|p| p.0), &typed, &errors, None).await?;
    Ok(Reply::Invalid(page))
}

#[post("/products", data = "<form>")]
async fn create_product(
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    save(state, &visitor, &csrf, None, form.0).await
}

fn unknown() -> AppError {
    AppError::NotFound("Ce produit n'existe pas.".into())
}

async fn product_of(
    state: &AppState,
    id: Result<ProductId, InvalidId>,
) -> AppResult<(ProductEntry, Recipe)> {
    let id = id.map_err(|_| unknown())?;
    state
        .db
        .run(move |c| catalog_admin::product(c, id))
        .await??
        .ok_or_else(unknown)
}

#[get("/products/<product>?<done>")]
async fn show_product(
    product: Result<ProductId, InvalidId>,
    done: Option<&str>,
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
) -> AppResult<Template> {
    let (p, recipe) = product_of(state, product).await?;
    let typed = typed_of(&p, &recipe);
    let notice = match done {
        Some("photo") => Some("Photo enregistrée : elle paraît sur la carte de chaque pizzeria."),
        Some("no-photo") => Some("Photo retirée de la carte."),
        _ => None,
    };
    form_page(
        state,
        &visitor,
        &csrf,
        Some(p.id.0),
        &typed,
        &FieldErrors::default(),
        notice,
    )
    .await
}

#[post("/products/<product>", data = "<form>")]
async fn save_product(
    product: Result<ProductId, InvalidId>,
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    form: Posted,
) -> AppResult<Reply> {
    let (p, _) = product_of(state, product).await?;
    save(state, &visitor, &csrf, Some(p.id), form.0).await
}

/// The product's form again, with why its photo was not taken.
async fn photo_refused(
    state: &AppState,
    visitor: &Visitor,
    csrf: &Csrf,
    (id, typed): (ProductId, &Typed),
    field: &str,
    message: String,
) -> AppResult<Template> {
    let mut errors = FieldErrors::default();
    errors.add(field, message);
    form_page(state, visitor, csrf, Some(id.0), typed, &errors, None).await
}

/// Names (or, with None, removes) the product's photo, and says so to every menu here.
async fn show_photo(state: &AppState, id: ProductId, key: Option<String>) -> AppResult<()> {
    match state
        .db
        .run(move |c| photos::attach(c, id, key.as_deref()))
        .await?
    {
        Ok(()) => {
            state.hub.menus.forget_all();
            Ok(())
        }
        Err(CatalogError::Db(e)) => Err(e.into()),
        Err(_) => Err(unknown()),
    }
}

/// A new photo: checked by its content, its sizes made and written, then shown (or the form
/// again: 413 when too large, 422 for any other refusal; nothing written).
#[post("/products/<product>/photo", data = "<upload>")]
async fn upload_photo(
    product: Result<ProductId, InvalidId>,
    _admin: GroupAdmin,
    state: &State<AppState>,
    visitor: Visitor,
    csrf: Csrf,
    upload: PostedFile,
) -> AppResult<Reply> {
    let (p, recipe) = product_of(state, product).await?;
    let typed = typed_of(&p, &recipe);
    let stored = match upload.bytes() {
        Ok(bytes) => {
            let media = std::path::PathBuf::from(&state.settings.media_dir);
            rocket::tokio::task::spawn_blocking(move || photos::store(&media, &bytes))
                .await
                .map_err(AppError::internal)?
        }
        Err(FileRefusal::TooLarge(e)) => Err(StoreError::Refused(e)),
        Err(FileRefusal::Unexpected(message)) => {
            let page =
                photo_refused(state, &visitor, &csrf, (p.id, &typed), "form", message).await?;
            return Ok(Reply::Invalid(page));
        }
    };
    match stored {
        Ok(key) => {
            show_photo(state, p.id, Some(key)).await?;
            Ok(Reply::Redirect(Redirect::to(format!(
                "/admin/products/{}?done=photo",
                p.id
            ))))
        }
        Err(StoreError::Refused(e)) => {
            let too_large = e == PhotoError::TooLarge;
            let page = photo_refused(
                state,
                &visitor,
                &csrf,
                (p.id, &typed),
                "photo",
                e.to_string(),
            )
            .await?;
            Ok(if too_large {
                Reply::TooLarge(page)
            } else {
                Reply::Invalid(page)
            })
        }
        Err(e @ StoreError::Io(_)) => Err(AppError::internal(e)),
    }
}

/// The product shown without a photo (its files stay: pages already served may show them).
#[post("/products/<product>/photo/remove", data = "<form>")]
async fn remove_photo(
    product: Result<ProductId, InvalidId>,
    _admin: GroupAdmin,
    state: &State<AppState>,
    form: Posted,
) -> AppResult<Redirect> {
    let (p, _) = product_of(state, product).await?;
    form.0.expect_empty()?;
    show_photo(state, p.id, None).await?;
    Ok(Redirect::to(format!(
        "/admin/products/{}?done=no-photo",
        p.id
    )))
}
