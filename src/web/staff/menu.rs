//! The manager's menu switches: take a product off this pizzeria's menu, or put it back. Every
//! open menu of the pizzeria follows at once (the switch is tailed like the stock ledger).

use crate::domain::ids::{InvalidId, PizzeriaId, ProductId};
use crate::services::menu::{self, MenuError};
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::form::{FieldErrors, Posted};
use crate::web::guards::Manager;
use rocket::response::Redirect;
use rocket::{post, routes, Route, State};

pub fn routes() -> Vec<Route> {
    routes![switch_product]
}

fn not_found() -> AppError {
    AppError::NotFound("Ce produit n'existe pas.".into())
}

#[post("/<_p>/menu/<product>", data = "<form>")]
async fn switch_product(
    _p: Result<PizzeriaId, InvalidId>,
    product: Result<ProductId, InvalidId>,
    manager: Manager,
    state: &State<AppState>,
    form: Posted,
) -> AppResult<Redirect> {
    let product = product.map_err(|_| not_found())?;
    let mut form = form.0;
    let enabled = match form.text("enabled").as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    };
    let mut errors = FieldErrors::default();
    form.finish(&mut errors);
    let Some(enabled) = enabled else {
        return Err(AppError::Invalid(
            "Choisissez : sur la carte ou retiré.".into(),
        ));
    };
    errors.into_result()?;
    let (p, user) = (manager.0.pizzeria, manager.0.user);
    match state
        .db
        .run(move |c| menu::switch(c, p, product, enabled, user))
        .await?
    {
        Ok(_) => {}
        Err(MenuError::UnknownProduct) => return Err(not_found()),
        Err(MenuError::Db(e)) => return Err(e.into()),
    }
    state.hub.stock_changed(p);
    Ok(Redirect::to(format!("/staff/{p}/stock?done=menu#carte")))
}
