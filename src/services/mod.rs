//! Use cases: each is one transaction over the models (plus, outside it, the slow work it
//! needs, such as hashing a password). Services are the only writers; they never render.

pub mod accounts;
pub mod cart;
pub mod catalog;
pub mod dashboard;
pub mod demo;
pub mod floor;
pub mod housekeeping;
pub mod mail;
pub mod menu;
pub mod orders;
pub mod payments;
pub mod photos;
pub mod pizzerias;
pub mod sessions;
pub mod stock;
pub mod team;
pub mod tokens;
pub mod users;
