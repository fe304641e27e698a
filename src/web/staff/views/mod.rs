//! What the staff screens share: the guard's pizzeria and member, order ids from the path,
//! the floor as last read, the live boards, and the view models of each screen.

pub mod counter_form;
pub mod live;
pub mod runs;
pub mod stock;
pub mod stock_forms;
pub mod tickets;

use crate::domain::ids::{InvalidId, OrderId};
use crate::models::floor::Floor;
use crate::models::pizzeria::Pizzeria;
use crate::services::floor::Member;
use crate::state::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::guards::PizzeriaStaff;
use std::sync::Arc;

/// The pizzeria of the guard, which must still exist.
pub async fn pizzeria_of(state: &AppState, staff: &PizzeriaStaff) -> AppResult<Pizzeria> {
    let id = staff.pizzeria;
    state
        .db
        .run(move |c| Pizzeria::find(c, id))
        .await??
        .ok_or_else(|| AppError::NotFound("Cette pizzeria n'existe pas.".into()))
}

pub fn member(staff: &PizzeriaStaff) -> Member {
    Member {
        pizzeria: staff.pizzeria,
        user: staff.user,
    }
}

/// An order id from the path: a malformed one is an order this pizzeria does not have.
pub fn order_id(id: Result<OrderId, InvalidId>) -> AppResult<OrderId> {
    id.map_err(|_| AppError::NotFound("Cette commande n'existe pas dans cette pizzeria.".into()))
}

/// The pizzeria's floor as last read (shared by every screen of this process).
pub async fn floor_of(state: &AppState, staff: &PizzeriaStaff) -> AppResult<Arc<Floor>> {
    state
        .hub
        .floors
        .get(&state.db, staff.pizzeria)
        .await
        .map_err(|e| AppError::Unavailable(e.into()))
}

/// After a staff action committed here: this process's screens read the floor again, and
/// the tailer tells every process now rather than at its next tick.
pub fn changed(state: &AppState, staff: &PizzeriaStaff) {
    state.hub.order_changed(staff.pizzeria);
}
