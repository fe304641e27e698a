//! The manager's menu switches: a product taken off or put back on the pizzeria's menu, with
//! its history, in one transaction. Every open menu of the pizzeria follows at once.

use crate::db::{write_tx, DbConn};
use crate::domain::ids::{PizzeriaId, ProductId, UserId};
use crate::models::{catalog, menu_change};
use diesel::result::Error as DieselError;

#[derive(Debug, thiserror::Error)]
pub enum MenuError {
    #[error("Ce produit n'existe pas.")]
    UnknownProduct,
    #[error(transparent)]
    Db(#[from] DieselError),
}

impl crate::db::AsDieselError for MenuError {
    fn as_diesel(&self) -> Option<&DieselError> {
        match self {
            MenuError::Db(e) => Some(e),
            MenuError::UnknownProduct => None,
        }
    }
}

/// Switches a product on or off at `p`; false when it already was.
pub fn switch(
    conn: &mut DbConn,
    p: PizzeriaId,
    product: ProductId,
    enabled: bool,
    by: UserId,
) -> Result<bool, MenuError> {
    write_tx(conn, |c| {
        if catalog::names(c, &[product])?.is_empty() {
            return Err(MenuError::UnknownProduct);
        }
        if !menu_change::try_set_switch(c, p, product, enabled)? {
            return Ok(false);
        }
        menu_change::record_change(c, p, product, enabled, Some(by))?;
        Ok(true)
    })
}
