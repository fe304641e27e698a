//! Use cases: each is one transaction (plus its side effects) over the models.

pub mod accounts;
pub mod cart;
pub mod demo;
pub mod orders;
pub mod sessions;
pub mod stock;
pub mod users;
