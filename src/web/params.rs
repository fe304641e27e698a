//! Typed ids and tokens as path parameters. A malformed one is an `Err` the handler turns into
//! the same French 404 as an unknown one.

use crate::domain::ids::{
    AddressId, IngredientId, InvalidId, OrderId, PizzeriaId, ProductId, UserId,
};
use crate::domain::token::{AccountToken, InvalidToken, OrderToken};
use rocket::request::FromParam;

macro_rules! id_params {
    ($($name:ident),*) => {$(
        impl<'a> FromParam<'a> for $name {
            type Error = InvalidId;
            fn from_param(param: &'a str) -> Result<Self, Self::Error> {
                Self::parse(param)
            }
        }
    )*};
}

id_params!(
    PizzeriaId,
    ProductId,
    OrderId,
    AddressId,
    IngredientId,
    UserId
);

impl<'a> FromParam<'a> for OrderToken {
    type Error = InvalidToken;
    fn from_param(param: &'a str) -> Result<Self, Self::Error> {
        OrderToken::parse(param)
    }
}

impl<'a> FromParam<'a> for AccountToken {
    type Error = InvalidToken;
    fn from_param(param: &'a str) -> Result<Self, Self::Error> {
        AccountToken::parse(param)
    }
}
